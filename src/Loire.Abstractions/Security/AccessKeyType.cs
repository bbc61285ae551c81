namespace Loire.Security;

/// <summary>Which key of a shared access rule to regenerate (as Service Bus's key types).</summary>
[GenerateSerializer, Alias("loire.AccessKeyType")]
public enum AccessKeyType
{
    /// <summary>The rule's primary key.</summary>
    PrimaryKey,

    /// <summary>The rule's secondary key (added when the rule had none).</summary>
    SecondaryKey,
}
