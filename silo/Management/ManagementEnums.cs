using System.Text.Json.Serialization;

namespace Loire.Silo.Management;

/// <summary>What an entity of the management API is.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<ManagedEntityKind>))]
public enum ManagedEntityKind
{
    Queue,
    Topic,
    Subscription,
}

/// <summary>Which sub-queue of a queue or subscription a call addresses.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<ManagedSubQueue>))]
public enum ManagedSubQueue
{
    Main,
    DeadLetter,
}

/// <summary>The kind of a rule filter.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<RuleFilterType>))]
public enum RuleFilterType
{
    Sql,
    Correlation,
    True,
    False,
}

/// <summary>How a message body travels in JSON.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<BodyEncoding>))]
public enum BodyEncoding
{
    /// <summary>The body is the UTF-8 encoding of the string.</summary>
    Text,
    /// <summary>The string is the body in base64.</summary>
    Base64,
}
