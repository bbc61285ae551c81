using YamlDotNet.RepresentationModel;

namespace Loire.DeployTests;

/// <summary>
/// YAML documents as plain trees (string-keyed dictionaries, lists, scalar strings), which the property tests
/// query by path. Anchors and aliases are resolved by the parser.
/// </summary>
public static class YamlTree
{
    /// <summary>Every document of the file; throws YamlDotNet's exception on a syntax error.</summary>
    public static IReadOnlyList<object?> LoadAll(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(path)))
        {
            stream.Load(reader);
        }

        return stream.Documents.Select(d => ToPlain(d.RootNode)).Where(d => d is not null).ToList();
    }

    /// <summary>The node at <paramref name="path"/> (mapping keys, or list indexes), or null where it is missing.</summary>
    public static object? At(this object? node, params object[] path)
    {
        foreach (var step in path)
        {
            node = (node, step) switch
            {
                (IReadOnlyDictionary<string, object?> map, string key) => map.GetValueOrDefault(key),
                (IReadOnlyList<object?> list, int index) when index < list.Count => list[index],
                _ => null,
            };
        }

        return node;
    }

    public static string? Text(this object? node, params object[] path) => node.At(path) as string;

    public static IReadOnlyList<object?> Items(this object? node, params object[] path) =>
        node.At(path) as IReadOnlyList<object?> ?? [];

    public static IReadOnlyDictionary<string, object?> Map(this object? node, params object[] path) =>
        node.At(path) as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();

    private static object? ToPlain(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ToPlain(c.Value)),
        YamlSequenceNode list => list.Children.Select(ToPlain).ToList(),
        YamlScalarNode { Value: "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain } => null,
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };
}
