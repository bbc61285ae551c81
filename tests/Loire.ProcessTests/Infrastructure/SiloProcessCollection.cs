namespace Loire.ProcessTests.Infrastructure;

/// <summary>Silo processes run one at a time: on two cores, parallel silos would turn timeouts into noise.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SiloProcessCollection
{
    public const string Name = "silo-processes";
}
