using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Security;

namespace Loire.Cli.Commands;

/// <summary>
/// <c>loire token [--resource ENTITY] [--ttl 1h]</c>: a SharedAccessSignature token signed with the key of the
/// connection string (or <c>--key-name</c> and <c>--key</c>), for the web console's sign-in, a KEDA
/// TriggerAuthentication, an AMQP client's password or a curl header. Made locally; no broker is contacted.
/// </summary>
internal static class TokenCommand
{
    public static Command Create(CliContext context)
    {
        var resource = new Option<string>("--resource") { Description = "The entity the token is for, or empty for the whole namespace", DefaultValueFactory = _ => "" };
        var ttl = new Option<string>("--ttl") { Description = "How long it is valid (30m, 1h, 7d)", DefaultValueFactory = _ => "1h" };
        var keyName = new Option<string?>("--key-name") { Description = "The rule's key name (default: the connection string's SharedAccessKeyName)" };
        var key = new Option<string?>("--key") { Description = "The rule's key (default: the connection string's SharedAccessKey)" };
        var command = new Command("token", "Print a shared access signature token signed with a rule's key") { resource, ttl, keyName, key };
        context.SetBrokerAction(command, run =>
        {
            var lifetime = Duration.Parse(run.Get(ttl), "--ttl");
            if (lifetime <= TimeSpan.Zero || lifetime == TimeSpan.MaxValue)
            {
                throw new CliUsageException("--ttl must be a positive, finite duration.");
            }

            var settings = run.ConnectionStringSettings();
            var name = run.Get(keyName) ?? settings?.SharedAccessKeyName
                ?? throw new CliUsageException("A key name is needed: --key-name, or a connection string with SharedAccessKeyName.");
            var secret = run.Get(key) ?? settings?.SharedAccessKey
                ?? throw new CliUsageException("A key is needed: --key, or a connection string with SharedAccessKey.");
            var expiresAt = DateTimeOffset.UtcNow + lifetime;
            var token = SharedAccessSignature.Create(name, secret, run.Get(resource), expiresAt);
            run.Output.WriteOutcome(token, new { token, expiresAt });
            return Task.CompletedTask;
        });
        return command;
    }
}
