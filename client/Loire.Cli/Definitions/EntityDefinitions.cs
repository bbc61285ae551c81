namespace Loire.Cli.Definitions;

/// <summary>The file <c>loire export</c> writes and <c>loire import</c> reads.</summary>
internal sealed class EntityDefinitions
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public List<QueueDefinition> Queues { get; set; } = [];

    public List<TopicDefinition> Topics { get; set; } = [];
}
