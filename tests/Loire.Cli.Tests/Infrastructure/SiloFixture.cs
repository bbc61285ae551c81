using Loire.ProcessTests.Infrastructure;

namespace Loire.Cli.Tests.Infrastructure;

/// <summary>One real silo process for every CLI test: starting one costs seconds, and tests use their own entity names.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private SiloProcess? _silo;

    public string Gateway => (_silo ?? throw new InvalidOperationException("The silo is not started.")).Gateway;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "cli-silo";
}
