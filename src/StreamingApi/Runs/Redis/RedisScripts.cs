namespace StreamingApi.Runs.Redis;

/// <summary>The Lua that must run atomically in Redis.</summary>
internal static class RedisScripts
{
    /// <summary>
    /// Fails a running run once: adds <c>error</c> and <c>done</c> after the stream's last entry, sets the record's
    /// status and reason, lets both expire after the retention, and tells readers.
    /// KEYS: the run's hash, its stream. ARGV: the instance-key prefix (empty: do not require the owner to be gone),
    /// error JSON, done JSON, reason, ended at, retention seconds, the channel to publish to, the error and done type names.
    /// </summary>
    public const string FailRun = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return false end
        if ARGV[1] ~= '' and redis.call('EXISTS', ARGV[1] .. redis.call('HGET', KEYS[1], 'owner')) == 1 then return false end
        local last = tonumber(redis.call('HGET', KEYS[1], 'lastSequence') or '0')
        local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
        if #top > 0 then last = math.max(last, tonumber(string.match(top[1][1], '^0%-(%d+)$'))) end
        redis.call('XADD', KEYS[2], '0-' .. (last + 1), 't', ARGV[8], 'd', ARGV[2])
        redis.call('XADD', KEYS[2], '0-' .. (last + 2), 't', ARGV[9], 'd', ARGV[3])
        redis.call('HSET', KEYS[1], 'status', 'failed', 'reason', ARGV[4], 'endedAt', ARGV[5], 'lastSequence', last + 2)
        redis.call('EXPIRE', KEYS[1], ARGV[6])
        redis.call('EXPIRE', KEYS[2], ARGV[6])
        redis.call('PUBLISH', ARGV[7], last + 2)
        return true
        """;
}
