using Loire.Cli.Definitions;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Definitions;

/// <summary><c>--rename FROM=TO</c>: imports definitions under another leading prefix, forwarding targets included, to copy an environment.</summary>
internal sealed class DefinitionRename(string from, string to)
{
    public static DefinitionRename? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            ? new DefinitionRename(text[..equals], text[(equals + 1)..])
            : throw new CliUsageException($"--rename: '{text}' is not FROM=TO.");
    }

    public void Apply(EntityDefinitions definitions)
    {
        foreach (var queue in definitions.Queues)
        {
            queue.Name = Rename(queue.Name)!;
            queue.ForwardTo = Rename(queue.ForwardTo);
            queue.ForwardDeadLetteredMessagesTo = Rename(queue.ForwardDeadLetteredMessagesTo);
        }

        foreach (var topic in definitions.Topics)
        {
            topic.Name = Rename(topic.Name)!;
            foreach (var subscription in topic.Subscriptions)
            {
                subscription.ForwardTo = Rename(subscription.ForwardTo);
                subscription.ForwardDeadLetteredMessagesTo = Rename(subscription.ForwardDeadLetteredMessagesTo);
            }
        }
    }

    private string? Rename(string? path) =>
        path is not null && path.StartsWith(from, StringComparison.Ordinal) ? to + path[from.Length..] : path;
}
