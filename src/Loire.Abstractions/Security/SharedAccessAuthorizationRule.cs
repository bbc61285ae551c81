using System.Text.RegularExpressions;
using Loire.Client;

namespace Loire.Security;

/// <summary>
/// A named shared access rule (Service Bus style): a key name, a primary and an optional secondary key, and the rights
/// a token signed with either key carries. Namespace rules come from the silo's configuration; entity rules are stored
/// with the queue or topic.
/// </summary>
/// <param name="KeyName">The rule's name, sent in tokens as <c>skn</c>.</param>
/// <param name="PrimaryKey">A signing key (at least <see cref="MinKeyLength"/> characters).</param>
/// <param name="SecondaryKey">A second signing key, for rotation; null when there is none.</param>
/// <param name="Rights">What tokens signed with the rule's keys may do.</param>
[GenerateSerializer, Immutable, Alias("loire.SharedAccessAuthorizationRule")]
public sealed partial record SharedAccessAuthorizationRule(
    [property: Id(0)] string KeyName,
    [property: Id(1)] string PrimaryKey,
    [property: Id(2)] string? SecondaryKey,
    [property: Id(3)] AccessRights Rights)
{
    /// <summary>Shortest accepted key: a guessable key would make every signature forgeable.</summary>
    public const int MinKeyLength = 32;

    /// <summary>Longest accepted key or key name.</summary>
    public const int MaxLength = 256;

    /// <summary>Most rules one entity may hold (as Service Bus).</summary>
    public const int MaxRulesPerEntity = 12;

    /// <summary>Throws <see cref="LoireErrorReason.InvalidArgument"/> unless the rule is well formed.</summary>
    public void Validate(string? entityPath = null)
    {
        if (GetError() is { } error)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, error, entityPath);
        }
    }

    /// <summary>What is wrong with the rule, or null.</summary>
    public string? GetError()
    {
        if (string.IsNullOrEmpty(KeyName) || KeyName.Length > MaxLength || !KeyNamePattern().IsMatch(KeyName))
        {
            return $"Shared access key name '{KeyName}' is invalid: use 1 to {MaxLength} letters, digits, '.', '-' or '_'.";
        }

        if (KeyError(PrimaryKey, "primary") is { } primary)
        {
            return primary;
        }

        if (SecondaryKey is not null && KeyError(SecondaryKey, "secondary") is { } secondary)
        {
            return secondary;
        }

        return Rights == AccessRights.None || (Rights & ~(AccessRights.Manage | AccessRights.Send | AccessRights.Listen)) != 0
            ? $"Rule '{KeyName}' must grant Manage, Send and/or Listen."
            : null;
    }

    /// <summary>Hides the keys, so a rule never lands in a log by accident.</summary>
    public override string ToString() => $"{KeyName} ({Rights})";

    private string? KeyError(string? key, string which) =>
        string.IsNullOrEmpty(key) || key.Length < MinKeyLength || key.Length > MaxLength || key.Any(char.IsWhiteSpace)
            ? $"The {which} key of rule '{KeyName}' must be {MinKeyLength} to {MaxLength} characters without spaces."
            : null;

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex KeyNamePattern();
}
