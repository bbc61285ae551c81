using System.Net;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Client.Security;
using Loire.Entities;
using Loire.Grains;
using Loire.Grains.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;

namespace Loire.Tests.Security;

/// <summary>
/// A client on the gateway cannot pose as a grain or as a silo's hosted client (whose calls the shared access filter
/// does not check): a message naming another sender closes its connection, is audited and changes nothing.
/// </summary>
[Collection(SecuredClusterCollection.Name)]
public sealed class ForgedSenderTests(SecuredClusterFixture fixture) : IAsyncLifetime
{
    private readonly SenderForgingConnection _forger = new();
    private IHost _client = null!;

    public static TheoryData<string> ForgedSenders => ["grain", "hosted client"];

    private IGrainFactory Grains => _client.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        _client = BuildClient(_forger);
        await _client.StartAsync();
    }

    [Theory]
    [MemberData(nameof(ForgedSenders))]
    public async Task AMessageUnderAnotherSenderIsRefusedAuditedAndChangesNothing(string pose)
    {
        var honest = $"forged-{pose.Replace(' ', '-')}-honest";
        var forged = $"forged-{pose.Replace(' ', '-')}";
        _forger.Forge = (sender, target) => target.Key.ToString() != forged ? null
            : pose == "grain" ? GrainId.Create("loire-queue", "orders") : GrainId.Create(sender.Type, "hosted-127.0.0.1:11111@1");
        var refusedBefore = fixture.Audit.Count(GatewaySenderGuard.Operation, "refused");

        // The same client without a forged sender reaches the filter, which wants Manage rights.
        var unauthorized = await Assert.ThrowsAsync<LoireException>(() => CreateQueueAsync(honest));
        var error = await Record.ExceptionAsync(() => CreateQueueAsync(forged));

        Assert.Equal(LoireErrorReason.Unauthorized, unauthorized.Reason);
        Assert.NotNull(error);
        var admin = fixture.Admin.CreateAdministrationClient();
        Assert.False(await admin.QueueExistsAsync(forged));
        Assert.False(await admin.QueueExistsAsync(honest));
        Assert.Equal(refusedBefore + 1, fixture.Audit.Count(GatewaySenderGuard.Operation, "refused"));
        Assert.Contains(fixture.Audit.Events, e => e.GetValueOrDefault("Operation") == GatewaySenderGuard.Operation
            && e.GetValueOrDefault("Detail", "").StartsWith("forged sender", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AConnectionUnderASilosHostedClientIdIsRefused()
    {
        var hosted = GrainId.Create("sys.client", "hosted-127.0.0.1:11111@1");
        var forger = new SenderForgingConnection { ConnectAs = hosted, Forge = (_, _) => hosted };
        using var client = BuildClient(forger);
        var refusedBefore = fixture.Audit.Count(GatewaySenderGuard.Operation, "refused");

        await Assert.ThrowsAsync<ConnectionFailedException>(() => client.StartAsync());

        Assert.True(fixture.Audit.Count(GatewaySenderGuard.Operation, "refused") > refusedBefore);
        Assert.Contains(fixture.Audit.Events, e => e.GetValueOrDefault("Detail", "").Contains("connection id sys.client/hosted-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnObserversReplyNamesTheObserverAndPasses()
    {
        // Its own client with the default response timeout: this round trip is meant to succeed, and its first call
        // (activation, then a call back to the client) can take longer than 3 s on a loaded machine.
        using var client = BuildClient(new SenderForgingConnection(), failFast: false);
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IGrainFactory>();
        var observer = grains.CreateObjectReference<IEchoObserver>(new Echo());

        var reply = await grains.GetGrain<IEchoGrain>("echo").EchoThroughAsync(observer, "ping");

        Assert.Equal("echo ping", reply);
    }

    private sealed class Echo : IEchoObserver
    {
        public Task<string> EchoAsync(string text) => Task.FromResult("echo " + text);
    }

    private Task CreateQueueAsync(string path)
    {
        var now = DateTimeOffset.UtcNow;
        var description = new EntityDescription(path, EntityKind.Queue, new CreateQueueOptions(path).ToEntityOptions(), now, now);
        return Grains.GetGrain<IQueueGrain>(path).CreateAsync(description);
    }

    /// <summary>
    /// A plain Orleans client on the gateway with Listen rights, whose bytes <paramref name="forger"/> may rewrite. Its
    /// response timeout is short when <paramref name="failFast"/>, so a call whose connection the guard closed fails fast.
    /// </summary>
    private IHost BuildClient(SenderForgingConnection forger, bool failFast = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(IPEndPoint.Parse(fixture.Gateway));
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (SecuredClusterFixture.ClusterId, SecuredClusterFixture.ClusterId));
            if (failFast)
            {
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(3));
            }

            client.Configure<ClientConnectionOptions>(o => o.ConfigureConnection(forger.Configure));
            client.AddOutgoingGrainCallFilter(new SharedAccessCallFilter(SecuredClusterFixture.KeyProvider(SecuredClusterFixture.Listener)));
        });
        return builder.Build();
    }

    public async Task DisposeAsync()
    {
        await _client.StopAsync();
        _client.Dispose();
    }
}
