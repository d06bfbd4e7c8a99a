using System.Threading.RateLimiting;
using StackExchange.Redis;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>
/// A token bucket of one caller's, shared by every instance: its tokens and the time they were counted at are a hash
/// in Redis, refilled and taken from in one script, so two instances never both take the last token. The time is the
/// instance's clock (<see cref="TimeProvider"/>): instances' clocks should agree to well under a token's period.
/// </summary>
public sealed class RedisTokenBucket(RedisConnection redis, RedisKey key, int capacity, TimeSpan period, TimeProvider time) : RateLimiter
{
    // ARGV: capacity, milliseconds per token, now (ms), expiry (ms). Returns {1, 0} when a token was taken, else {0, ms to wait}.
    private const string TakeScript = """
        local capacity = tonumber(ARGV[1])
        local per_token = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        if now > at then
          tokens = math.min(capacity, tokens + (now - at) / per_token)
          at = now
        end
        local taken = 0
        if tokens >= 1 then
          tokens = tokens - 1
          taken = 1
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        if taken == 1 then return {1, 0} end
        return {0, math.ceil((1 - tokens) * per_token)}
        """;

    private readonly RedisGuard _guard = new(redis);
    private long _lastUsed = time.GetTimestamp();

    /// <summary>Idle since it was last asked: the bucket's state is in Redis, so this object may go whenever it is idle.</summary>
    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>Redis cannot be asked without waiting: the middleware then asks <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => new LimitLease(false);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        var database = await _guard.DatabaseAsync(); // Redis out of reach: 503, as for the runs themselves
        var perToken = period.TotalMilliseconds;
        var result = await _guard.RunAsync(async () => (RedisResult[])(await database.ScriptEvaluateAsync(TakeScript, [key],
            [capacity, perToken, time.GetUtcNow().ToUnixTimeMilliseconds(), (long)Math.Ceiling(perToken * capacity) + 1000]))!);
        return (int)result[0] == 1
            ? LimitLease.Granted
            : new LimitLease(false, LimitProblems.RateLimited, TimeSpan.FromMilliseconds((long)result[1]));
    }
}
