using System.Buffers.Binary;
using System.Globalization;
using StackExchange.Redis;

namespace Loire.Storage.Redis;

/// <summary>
/// Where the store keeps what in Redis, and how values are encoded. With prefix P:
/// <list type="bullet">
/// <item><c>P m:{entity}</c>: hash, field = sequence number in invariant decimal, value = payload bytes.</item>
/// <item><c>P s:{entity}</c>: hash, same fields, value = delivery-state bytes. A message exists when its field is in
/// the payload hash; both are always written and removed together.</item>
/// <item><c>P e</c>: hash, field = entity path, value = 4-byte big-endian kind followed by the description bytes.</item>
/// <item><c>P ek</c>: sorted set, score 0, member = entity path: the catalog in ordinal (byte) order for ZRANGEBYLEX.</item>
/// <item><c>P d</c>: hash, field = entity path, value = its encoded <see cref="EntityDepth"/>; only for paths in <c>P e</c>.</item>
/// <item><c>P f</c>: hash, field = entity path, value = its current epoch (decimal); only for paths in <c>P e</c>. The
/// empty field, which no entity path can be, holds the last epoch handed out, so epochs never repeat.</item>
/// </list>
/// </summary>
internal sealed class RedisLayout(string prefix)
{
    /// <summary>The key prefix (passed to the commit script, which builds the per-entity key names itself).</summary>
    public string Prefix { get; } = prefix;

    /// <summary>The catalog hash.</summary>
    public RedisKey Entities { get; } = prefix + "e";

    /// <summary>The catalog's ordered index.</summary>
    public RedisKey EntityIndex { get; } = prefix + "ek";

    /// <summary>The recorded depths of every entity.</summary>
    public RedisKey Depths { get; } = prefix + "d";

    /// <summary>The current epochs of the entities.</summary>
    public RedisKey Fences { get; } = prefix + "f";

    /// <summary>The payload hash of an entity.</summary>
    public RedisKey Payloads(string entityPath) => Prefix + "m:" + entityPath;

    /// <summary>The delivery-state hash of an entity.</summary>
    public RedisKey States(string entityPath) => Prefix + "s:" + entityPath;

    /// <summary>The hash field of a sequence number.</summary>
    public static RedisValue Field(long sequenceNumber) => sequenceNumber.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a hash field back into its sequence number.</summary>
    public static long ParseField(RedisValue field) => long.Parse((string)field!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>The catalog value of an entity.</summary>
    public static byte[] EncodeEntity(EntityRecord entity)
    {
        var value = new byte[4 + entity.Description.Length];
        BinaryPrimitives.WriteInt32BigEndian(value, entity.Kind);
        entity.Description.Span.CopyTo(value.AsSpan(4));
        return value;
    }

    /// <summary>Decodes a catalog value; null when it is malformed.</summary>
    public static EntityRecord? DecodeEntity(string path, RedisValue value)
    {
        byte[]? bytes = value;
        if (bytes is null || bytes.Length < 4)
        {
            return null;
        }

        return new EntityRecord(path, BinaryPrimitives.ReadInt32BigEndian(bytes), bytes.AsMemory(4));
    }

    /// <summary>
    /// The group-commit script. ARGV[1] is the key prefix, then one operation after another:
    /// <c>P entity seq payload state</c>, <c>U entity seq state</c>, <c>D entity seq</c>, <c>E path value</c>,
    /// <c>X path</c>, <c>C path value</c> (create unless taken), <c>T path depth</c> (only while the path is in the
    /// catalog), <c>A path</c> (acquire an epoch, only while the path is in the catalog) and
    /// <c>F k n path1 epoch1 … pathk epochk</c>: a batch's k fences, followed by its n arguments, which are skipped
    /// unless every path's current epoch is its epoch. It returns one number per C (1 created, 0 taken), A (the new
    /// epoch, 0 for no entry) and per fence of an F (the path's current epoch, 0 for none: the batch applied when every
    /// one equals its epoch), in order. Arguments are validated before
    /// they are queued, so no command of the script can fail half-way.
    /// </summary>
    public const string CommitScript = """
        local p = ARGV[1]
        local results = {}
        local i = 2
        local n = #ARGV
        while i <= n do
          local op = ARGV[i]
          if op == 'P' then
            redis.call('HSET', p .. 'm:' .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
            redis.call('HSET', p .. 's:' .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 4])
            i = i + 5
          elseif op == 'U' then
            if redis.call('HEXISTS', p .. 'm:' .. ARGV[i + 1], ARGV[i + 2]) == 1 then
              redis.call('HSET', p .. 's:' .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
            end
            i = i + 4
          elseif op == 'D' then
            redis.call('HDEL', p .. 'm:' .. ARGV[i + 1], ARGV[i + 2])
            redis.call('HDEL', p .. 's:' .. ARGV[i + 1], ARGV[i + 2])
            i = i + 3
          elseif op == 'E' then
            redis.call('HSET', p .. 'e', ARGV[i + 1], ARGV[i + 2])
            redis.call('ZADD', p .. 'ek', 0, ARGV[i + 1])
            i = i + 3
          elseif op == 'X' then
            redis.call('DEL', p .. 'm:' .. ARGV[i + 1], p .. 's:' .. ARGV[i + 1])
            redis.call('HDEL', p .. 'e', ARGV[i + 1])
            redis.call('HDEL', p .. 'd', ARGV[i + 1])
            redis.call('HDEL', p .. 'f', ARGV[i + 1])
            redis.call('ZREM', p .. 'ek', ARGV[i + 1])
            i = i + 2
          elseif op == 'C' then
            local added = redis.call('HSETNX', p .. 'e', ARGV[i + 1], ARGV[i + 2])
            if added == 1 then
              redis.call('ZADD', p .. 'ek', 0, ARGV[i + 1])
            end
            results[#results + 1] = added
            i = i + 3
          elseif op == 'T' then
            if redis.call('HEXISTS', p .. 'e', ARGV[i + 1]) == 1 then
              redis.call('HSET', p .. 'd', ARGV[i + 1], ARGV[i + 2])
            end
            i = i + 3
          elseif op == 'A' then
            local epoch = 0
            if redis.call('HEXISTS', p .. 'e', ARGV[i + 1]) == 1 then
              epoch = redis.call('HINCRBY', p .. 'f', '', 1)
              redis.call('HSET', p .. 'f', ARGV[i + 1], epoch)
            end
            results[#results + 1] = epoch
            i = i + 2
          elseif op == 'F' then
            local k = tonumber(ARGV[i + 1])
            local fresh = true
            for j = 0, k - 1 do
              local current = tonumber(redis.call('HGET', p .. 'f', ARGV[i + 3 + 2 * j]) or '0')
              results[#results + 1] = current
              if current ~= tonumber(ARGV[i + 4 + 2 * j]) then
                fresh = false
              end
            end
            if fresh then
              i = i + 3 + 2 * k
            else
              i = i + 3 + 2 * k + tonumber(ARGV[i + 2])
            end
          else
            return redis.error_reply('loire: unknown store operation ' .. tostring(op))
          end
        end
        return results
        """;
}
