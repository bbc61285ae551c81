using Loire.Client;
using Loire.Client.Administration;

namespace Loire.Tests.Infrastructure;

/// <summary>A test class whose every test runs its own <see cref="RestartableCluster"/>, started before it and disposed after.</summary>
public abstract class RestartableClusterTest : IAsyncLifetime
{
    protected RestartableCluster Silo { get; } = new();

    protected LoireClient Client => Silo.Client;

    protected LoireAdministrationClient Admin => Client.CreateAdministrationClient();

    public Task InitializeAsync() => Silo.StartAsync();

    public Task DisposeAsync() => Silo.DisposeAsync().AsTask();
}
