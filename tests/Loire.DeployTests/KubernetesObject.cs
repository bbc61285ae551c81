namespace Loire.DeployTests;

/// <summary>One object of a manifest under deploy/kubernetes.</summary>
public sealed record KubernetesObject(string File, string ApiVersion, string Kind, string? Name, object? Root)
{
    public static IReadOnlyList<KubernetesObject> All { get; } = Load();

    public static KubernetesObject Single(string kind, string name) =>
        All.SingleOrDefault(o => o.Kind == kind && o.Name == name)
            ?? throw new Xunit.Sdk.XunitException($"No {kind} named {name} under deploy/kubernetes");

    public static IEnumerable<KubernetesObject> OfKind(string kind) => All.Where(o => o.Kind == kind);

    public override string ToString() => $"{Kind}/{Name} ({Path.GetFileName(File)})";

    private static List<KubernetesObject> Load() =>
        DeployFolder.YamlFiles(DeployFolder.Kubernetes)
            .SelectMany(file => YamlTree.LoadAll(file).Select(root =>
                new KubernetesObject(file, root.Text("apiVersion") ?? "", root.Text("kind") ?? "", root.Text("metadata", "name"), root)))
            .ToList();
}
