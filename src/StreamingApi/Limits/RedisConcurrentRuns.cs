using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>
/// The runs each caller has in progress on every instance: a sorted set per caller of its running runs' ids and of the
/// slots admission reserved (<c>reserved:&lt;id&gt;</c>), each scored with the time by which it has surely ended (its
/// instance's <c>Runs:MaxRunSeconds</c> and detach grace, and a minute more). A run or reservation whose instance died
/// without saying it ended stops counting then; the set itself expires too. Checking the count and reserving a slot
/// is one Lua script, so two instances never both take the last slot.
/// </summary>
public sealed class RedisConcurrentRuns(RedisConnection redis, RedisLimitKeys keys, IOptions<RunOptions> runs, TimeProvider time,
    ILogger<RedisConcurrentRuns> logger) : IConcurrentRuns
{
    private const string CountScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        return redis.call('ZCARD', KEYS[1])
        """;

    // ARGV: now, limit, the reservation's score, the reservation, the set's lifetime in milliseconds.
    private const string ReserveScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    // ARGV: the reservation ('' for none), the run's score, the run's id, the set's lifetime in milliseconds.
    private const string StartScript = """
        if ARGV[1] ~= '' then redis.call('ZREM', KEYS[1], ARGV[1]) end
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """;

    private readonly RedisGuard _guard = new(redis);

    private TimeSpan Lifetime => TimeSpan.FromSeconds(runs.Value.MaxRunSeconds + runs.Value.DetachGraceSeconds + 60);

    public async ValueTask<int> CountAsync(string key, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync(); // Redis out of reach: 503, as for the runs themselves
        return await _guard.RunAsync(async () =>
            (int)await database.ScriptEvaluateAsync(CountScript, [keys.Running(key)], [time.GetUtcNow().ToUnixTimeMilliseconds()]));
    }

    public async ValueTask<bool> TryReserveAsync(string key, string reservation, int limit, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync();
        var now = time.GetUtcNow();
        var lifetime = Lifetime;
        return await _guard.RunAsync(async () => (int)await database.ScriptEvaluateAsync(ReserveScript, [keys.Running(key)],
            [now.ToUnixTimeMilliseconds(), limit, (now + lifetime).ToUnixTimeMilliseconds(), Member(reservation), (long)lifetime.TotalMilliseconds]) == 1);
    }

    public async ValueTask StartedAsync(string key, string runId, string? reservation)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var lifetime = Lifetime;
            await database.ScriptEvaluateAsync(StartScript, [keys.Running(key)],
                [reservation is null ? "" : Member(reservation), (time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds(), runId, (long)lifetime.TotalMilliseconds]);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LimitLog.NotCounted(logger, exception, runId);
        }
    }

    public async ValueTask ReleaseAsync(string key, string reservation)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            await database.SortedSetRemoveAsync(keys.Running(key), Member(reservation));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LimitLog.NotReleased(logger, exception, reservation); // it expires with its score
        }
    }

    public async ValueTask EndedAsync(string key, string runId)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            await database.SortedSetRemoveAsync(keys.Running(key), runId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LimitLog.NotCounted(logger, exception, runId);
        }
    }

    /// <summary>A reservation's member: never a run's id, which is hex digits only.</summary>
    private static string Member(string reservation) => $"reserved:{reservation}";
}
