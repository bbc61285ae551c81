using System.Text;

namespace Loire.Storage.Redis.Tests;

/// <summary>Small helpers shared by the Redis store tests.</summary>
internal static class StoreTestKit
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Options for a store on <paramref name="server"/> under a key prefix of its own.</summary>
    public static RedisMessageStoreOptions Options(RedisServerFixture server, TimeSpan? operationTimeout = null) => new()
    {
        Configuration = server.Configuration,
        KeyPrefix = $"t{Guid.NewGuid():N}:",
        OperationTimeout = operationTimeout ?? TimeSpan.FromSeconds(5),
    };
}
