using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>The broker's defaults, taken from the wire record so client and broker cannot disagree.</summary>
internal static class EntityDefaults
{
    public static readonly EntityOptions Options = new();
}
