namespace Loire.Filters.Tests;

/// <summary>An <see cref="IFilterMessage"/> over two dictionaries: system names case-insensitive, application names exact.</summary>
internal sealed class TestMessage : IFilterMessage
{
    private readonly Dictionary<string, object?> _system = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, object?> _application = new(StringComparer.Ordinal);

    /// <summary>Starts a message with the given application properties.</summary>
    public static TestMessage With(params (string Name, object? Value)[] properties)
    {
        var message = new TestMessage();
        foreach (var (name, value) in properties)
        {
            message._application[name] = value;
        }

        return message;
    }

    /// <summary>Adds a system property.</summary>
    public TestMessage Sys(string name, object? value)
    {
        _system[name] = value;
        return this;
    }

    /// <summary>Adds an application property.</summary>
    public TestMessage App(string name, object? value)
    {
        _application[name] = value;
        return this;
    }

    public bool TryGetSystemProperty(string name, out object? value) => _system.TryGetValue(name, out value);

    public bool TryGetApplicationProperty(string name, out object? value) => _application.TryGetValue(name, out value);
}
