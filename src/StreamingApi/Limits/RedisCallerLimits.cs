using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>
/// One caller's limits in Redis, shared by every instance, asked in one round trip: one script checks the caller's token
/// quota (when one is set), trims and counts its runs in progress (<see cref="RedisConcurrentRuns"/>) and refills its token
/// bucket, and only when all three allow the run reserves its slot and takes a token, so that a run refused for any reason
/// costs no token and leaves no reservation. A script runs alone: two instances never both take the last slot or token.
/// The time is the instance's clock (<see cref="TimeProvider"/>): instances' clocks should agree to well under a token's period.
/// </summary>
public sealed class RedisCallerLimits(string key, RedisConnection redis, RedisLimitKeys keys, IOptions<RateLimitOptions> limits,
    IOptions<QuotaOptions> quota, IOptions<RunOptions> runs, TimeProvider time) : ICallerLimits
{
    // KEYS: the caller's runs in progress, its bucket, its tokens today.
    // ARGV: now (ms), tokens per day (0: no quota), runs in progress allowed, the reservation's score, the reservation,
    //       the set's lifetime (ms), the bucket's capacity, ms per token, the bucket's lifetime (ms).
    // Returns {0, 0} when admitted; else the limit that refused: {1, 0} the quota, {2, 0} the runs in progress, {3, ms to wait} the bucket.
    private const string AdmitScript = """
        local now = tonumber(ARGV[1])
        local per_day = tonumber(ARGV[2])
        if per_day > 0 and (tonumber(redis.call('GET', KEYS[3])) or 0) >= per_day then return {1, 0} end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return {2, 0} end
        local capacity = tonumber(ARGV[7])
        local per_token = tonumber(ARGV[8])
        local state = redis.call('HMGET', KEYS[2], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        if now > at then
          tokens = math.min(capacity, tokens + (now - at) / per_token)
          at = now
        end
        if tokens < 1 then return {3, math.ceil((1 - tokens) * per_token)} end
        redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'at', tostring(at))
        redis.call('PEXPIRE', KEYS[2], ARGV[9])
        redis.call('ZADD', KEYS[1], ARGV[4], ARGV[5])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        return {0, 0}
        """;

    private readonly RedisGuard _guard = new(redis);
    private readonly RedisKey _running = keys.Running(key);
    private readonly RedisKey _bucket = keys.Bucket(key);
    private ScriptKeys? _scriptKeys;
    private long _lastUsed = time.GetTimestamp();

    /// <summary>The script's keys on <paramref name="Day"/>: the same array for every run the caller starts that day.</summary>
    private sealed record ScriptKeys(DateOnly Day, RedisKey[] Keys);

    /// <summary>Idle since it was last asked: the caller's state is in Redis, so this object may go whenever it is idle.</summary>
    public TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public async ValueTask<RateLimitLease> AdmitAsync(string reservation, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        var database = await _guard.DatabaseAsync(); // Redis out of reach: 503, as for the runs themselves
        var now = time.GetUtcNow();
        var lifetime = RedisConcurrentRuns.LifetimeOf(runs.Value);
        var capacity = Math.Max(1, limits.Value.RunsPerMinute);
        var perToken = TimeSpan.FromMinutes(1).TotalMilliseconds / capacity;
        var scriptKeys = ScriptKeysOn(DateOnly.FromDateTime(now.UtcDateTime));
        RedisValue[] values =
        [
            now.ToUnixTimeMilliseconds(), Math.Max(0, quota.Value.TokensPerDay), limits.Value.ConcurrentRuns,
            (now + lifetime).ToUnixTimeMilliseconds(), RedisConcurrentRuns.Member(reservation), (long)lifetime.TotalMilliseconds,
            capacity, perToken, (long)Math.Ceiling(perToken * capacity) + 1000,
        ];
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await database.ScriptEvaluateAsync(AdmitScript, scriptKeys, values))!;
        }
        catch (Exception exception) when (RedisGuard.IsOutOfReach(exception))
        {
            throw _guard.Unavailable(exception);
        }
        return (int)result[0] switch
        {
            0 => LimitLease.Granted,
            1 => LimitLease.QuotaExceeded(now),
            2 => LimitLease.TooManyConcurrentRuns,
            _ => LimitLease.RateLimited(TimeSpan.FromMilliseconds((long)result[1])),
        };
    }

    /// <summary>
    /// The caller's runs in progress, its bucket and its tokens on <paramref name="day"/>: made again only when the day
    /// changes. Calls at the same instant may each make them then; Redis is only read from them.
    /// </summary>
    private RedisKey[] ScriptKeysOn(DateOnly day)
    {
        if (Volatile.Read(ref _scriptKeys) is { } known && known.Day == day) return known.Keys;
        var made = new ScriptKeys(day, [_running, _bucket, keys.Tokens(key, day)]);
        Volatile.Write(ref _scriptKeys, made);
        return made.Keys;
    }

    /// <summary>Nothing to free: the caller's state is in Redis.</summary>
    public void Dispose()
    {
    }
}
