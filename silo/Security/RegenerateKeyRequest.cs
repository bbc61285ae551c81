using Loire.Security;

namespace Loire.Silo.Security;

/// <summary>The body of <c>POST .../authorization-rules/{keyName}/regenerate-keys</c>: <c>{"keyType":"PrimaryKey"}</c> or <c>"SecondaryKey"</c>.</summary>
public sealed class RegenerateKeyRequest
{
    public AccessKeyType? KeyType { get; set; }
}
