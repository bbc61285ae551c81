using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Loire.Security;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>A silo process started with <c>--access-rules</c>: its gateway and HTTP port both need tokens; the rules file rotates live.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class SecuredSiloTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(2);

    private readonly string _rootKey = AccessRulesFile.NewKey();
    private readonly string _sendKey = AccessRulesFile.NewKey();

    [Fact]
    public async Task TheHttpPortAndTheGatewayNeedTokensAndTheRulesFileRotatesWithoutRestart()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        var rulesFile = Path.Combine(Directory.CreateTempSubdirectory("loire-rules-").FullName, "rules.json");
        AccessRulesFile.Write(rulesFile, ("root", _rootKey, null, "Manage"), ("app", _sendKey, null, "Send"));
        await using var silo = await SiloProcess.StartAsync(log, ["--access-rules", rulesFile], ct);
        using var http = new HttpClient { BaseAddress = silo.HttpAddress };

        // HTTP: open health, refused without a token or with too few rights, allowed with the right one.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live", ct)).StatusCode);
        var anonymous = await SendAsync(http, HttpMethod.Get, "api/v1/entities", null, null, ct);
        var sendCreates = await SendAsync(http, HttpMethod.Put, "api/v1/queues/orders", AccessRulesFile.Token("app", _sendKey), "{}", ct);
        var rootCreates = await SendAsync(http, HttpMethod.Put, "api/v1/queues/orders", AccessRulesFile.Token("root", _rootKey), "{}", ct);
        var appSends = await SendAsync(http, HttpMethod.Post, "api/v1/queues/orders/messages", AccessRulesFile.Token("app", _sendKey), "{\"body\":\"hi\"}", ct);
        var appPeeks = await SendAsync(http, HttpMethod.Get, "api/v1/queues/orders/messages", AccessRulesFile.Token("app", _sendKey), null, ct);
        var dashboard = await SendAsync(http, HttpMethod.Get, "dashboard/", null, null, ct);

        Assert.Equal(401, anonymous.Status);
        Assert.Equal("Unauthorized", (string?)anonymous.Body?["reason"]);
        Assert.Equal(401, sendCreates.Status);
        Assert.InRange(rootCreates.Status, 200, 201);
        Assert.InRange(appSends.Status, 200, 202);
        Assert.Equal(401, appPeeks.Status);
        Assert.Equal(401, dashboard.Status);

        // Entity rules over HTTP: a Listen rule on the queue lets its key peek there; deleted, it no longer does.
        var listenKey = AccessRulesFile.NewKey();
        var entityToken = SharedAccessSignature.Create("orders-listen", listenKey, "orders", DateTimeOffset.UtcNow.AddMinutes(10));
        var ruleJson = $"{{\"keyName\":\"orders-listen\",\"primaryKey\":\"{listenKey}\",\"rights\":[\"Listen\"]}}";
        Assert.Equal(201, (await SendAsync(http, HttpMethod.Post, "api/v1/queues/orders/authorization-rules", AccessRulesFile.Token("root", _rootKey), ruleJson, ct)).Status);
        var listedRules = await SendAsync(http, HttpMethod.Get, "api/v1/queues/orders/authorization-rules", AccessRulesFile.Token("root", _rootKey), null, ct);
        Assert.Equal("orders-listen", (string?)listedRules.Body?[0]?["keyName"]);
        Assert.Equal(200, (await SendAsync(http, HttpMethod.Get, "api/v1/queues/orders/messages", entityToken, null, ct)).Status);
        Assert.Equal(401, (await SendAsync(http, HttpMethod.Get, "api/v1/queues/orders/authorization-rules", entityToken, null, ct)).Status);

        // Regeneration: a new primary key made by the silo retires the tokens of the old one; Manage only, unknown rule 404.
        const string regenerate = "api/v1/queues/orders/authorization-rules/orders-listen/regenerate-keys";
        Assert.Equal(401, (await SendAsync(http, HttpMethod.Post, regenerate, entityToken, "{\"keyType\":\"PrimaryKey\"}", ct)).Status);
        Assert.Equal(400, (await SendAsync(http, HttpMethod.Post, regenerate, AccessRulesFile.Token("root", _rootKey), "{\"keyType\":\"TertiaryKey\"}", ct)).Status);
        Assert.Equal(404, (await SendAsync(http, HttpMethod.Post, "api/v1/queues/orders/authorization-rules/nobody/regenerate-keys",
            AccessRulesFile.Token("root", _rootKey), "{\"keyType\":\"PrimaryKey\"}", ct)).Status);
        var regenerated = await SendAsync(http, HttpMethod.Post, regenerate, AccessRulesFile.Token("root", _rootKey), "{\"keyType\":\"PrimaryKey\"}", ct);
        Assert.Equal(200, regenerated.Status);
        var regeneratedKey = (string)regenerated.Body!["primaryKey"]!;
        Assert.NotEqual(listenKey, regeneratedKey);
        Assert.Equal(401, (await SendAsync(http, HttpMethod.Get, "api/v1/queues/orders/messages", entityToken, null, ct)).Status);
        entityToken = SharedAccessSignature.Create("orders-listen", regeneratedKey, "orders", DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(200, (await SendAsync(http, HttpMethod.Get, "api/v1/queues/orders/messages", entityToken, null, ct)).Status);
        Assert.Equal(204, (await SendAsync(http, HttpMethod.Delete, "api/v1/queues/orders/authorization-rules/orders-listen", AccessRulesFile.Token("root", _rootKey), null, ct)).Status);
        Assert.Equal(401, (await SendAsync(http, HttpMethod.Get, "api/v1/queues/orders/messages", entityToken, null, ct)).Status);

        // Gateway: a connection string with the Send key sends; without credentials nothing goes through.
        var connection = $"Endpoint=loire://{silo.Gateway};SharedAccessKeyName=app;SharedAccessKey={_sendKey}";
        await using (var app = new LoireClient(connection))
        {
            await app.CreateSender("orders").SendMessageAsync(new LoireMessage("from the gateway"), ct);
        }

        await using (var anonymousClient = new LoireClient(silo.Gateway))
        {
            var refused = await Assert.ThrowsAsync<LoireException>(() => anonymousClient.CreateSender("orders").SendMessageAsync(new LoireMessage("no"), ct));
            Assert.Equal(LoireErrorReason.Unauthorized, refused.Reason);
        }

        await using (var root = new LoireClient($"Endpoint=loire://{silo.Gateway};SharedAccessKeyName=root;SharedAccessKey={_rootKey}"))
        {
            Assert.Equal(2, (await root.CreateAdministrationClient().GetQueueRuntimePropertiesAsync("orders", ct)).TotalMessageCount);
        }

        // Rotation: the new key goes in as secondary, then replaces the old one; the silo re-reads the file.
        var newKey = AccessRulesFile.NewKey();
        AccessRulesFile.Write(rulesFile, ("root", _rootKey, null, "Manage"), ("app", _sendKey, newKey, "Send"));
        await EventuallyAsync(async () => (await SendAsync(http, HttpMethod.Post, "api/v1/queues/orders/messages", AccessRulesFile.Token("app", newKey), "{\"body\":\"new\"}", ct)).Status < 300, ct);
        Assert.True((await SendAsync(http, HttpMethod.Post, "api/v1/queues/orders/messages", AccessRulesFile.Token("app", _sendKey), "{\"body\":\"old\"}", ct)).Status < 300);
        AccessRulesFile.Write(rulesFile, ("root", _rootKey, null, "Manage"), ("app", newKey, null, "Send"));
        await EventuallyAsync(async () => (await SendAsync(http, HttpMethod.Post, "api/v1/queues/orders/messages", AccessRulesFile.Token("app", _sendKey), "{\"body\":\"old\"}", ct)).Status == 401, ct);
        Assert.True((await SendAsync(http, HttpMethod.Post, "api/v1/queues/orders/messages", AccessRulesFile.Token("app", newKey), "{\"body\":\"new\"}", ct)).Status < 300);

        // Audit: the structured events are in the silo's log, the counter on the open /metrics.
        Assert.Contains("Audit: root HTTP PUT /api/v1/queues/{queue}/ on orders: ok", silo.Output);
        Assert.Contains("Audit: app HTTP PUT /api/v1/queues/{queue}/ on orders: refused", silo.Output);
        Assert.Contains("Audit: silo NamespaceRules.Reload on (namespace): ok", silo.Output);
        Assert.DoesNotContain(_rootKey, silo.Output);
        var metrics = await http.GetStringAsync("metrics", ct);
        Assert.Contains("loire_audit_events_total{otel_scope_name=\"Loire\",operation=\"HTTP PUT /api/v1/queues/{queue}/\",result=\"refused\"", metrics);
        Assert.Contains("loire_audit_events_total{otel_scope_name=\"Loire\",operation=\"HTTP PUT /api/v1/queues/{queue}/\",result=\"ok\"", metrics);
    }

    [Fact]
    public async Task ABadRulesFileStopsTheSiloWithAClearError()
    {
        var rulesFile = Path.Combine(Directory.CreateTempSubdirectory("loire-rules-").FullName, "rules.json");
        AccessRulesFile.Write(rulesFile, ("root", "short", null, "Manage"), ("app", AccessRulesFile.NewKey(), null, "Publish"));

        var exit = await SiloProcess.RunToExitAsync(["--access-rules", rulesFile], TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("rule 1: The primary key of rule 'root' must be 32 to 256 characters", exit.Output);
        Assert.Contains("rule 2: unknown right 'Publish'", exit.Output);
    }

    private static async Task<(int Status, JsonNode? Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? token, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType?.Contains("json") == true && text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The silo did not pick up the changed rules file in time.");
            await Task.Delay(200, ct);
        }
    }
}
