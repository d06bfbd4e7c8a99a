using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>
/// The runs each caller has in progress on every instance: a sorted set per caller of the slots admission reserved
/// (<c>reserved:&lt;id&gt;</c>, in the same script as the caller's other limits, <see cref="RedisCallerLimits"/>) and of the
/// ids of runs counted without one (a run that goes on after waiting), each scored with the time by which it has surely
/// ended (its instance's <c>Runs:MaxRunSeconds</c> and detach grace, and a minute more). A run that starts keeps its
/// reserved member as its slot, with no call to Redis; its end removes whichever members it holds in one command. A
/// member whose instance died without saying its run ended stops counting at its score; the set itself expires too.
/// </summary>
public sealed class RedisConcurrentRuns(RedisConnection redis, RedisLimitKeys keys, IOptions<RunOptions> runs, TimeProvider time,
    ILogger<RedisConcurrentRuns> logger) : IConcurrentRuns
{
    private const string CountScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        return redis.call('ZCARD', KEYS[1])
        """;

    // ARGV: the run's score, the run's id, the set's lifetime in milliseconds.
    private const string CountRunScript = """
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    private readonly RedisGuard _guard = new(redis);

    public async ValueTask<int> CountAsync(string key, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync(); // Redis out of reach: 503, as for the runs themselves
        return await _guard.RunAsync(async () =>
            (int)await database.ScriptEvaluateAsync(CountScript, [keys.Running(key)], [time.GetUtcNow().ToUnixTimeMilliseconds()]));
    }

    /// <summary>With its reservation, nothing to do: the reserved member is the run's slot from now on, scored as a run's.</summary>
    public async ValueTask StartedAsync(string key, string runId, string? reservation)
    {
        if (reservation is not null) return;
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var lifetime = LifetimeOf(runs.Value);
            await database.ScriptEvaluateAsync(CountRunScript, [keys.Running(key)],
                [(time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds(), runId, (long)lifetime.TotalMilliseconds]);
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

    public async ValueTask EndedAsync(string key, string runId, string? reservation)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            RedisValue[] members = reservation is null ? [runId] : [runId, Member(reservation)];
            await database.SortedSetRemoveAsync(keys.Running(key), members);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LimitLog.NotCounted(logger, exception, runId);
        }
    }

    /// <summary>How long a member surely outlives its run: the longest a run may take, its detach grace, and a minute more.</summary>
    internal static TimeSpan LifetimeOf(RunOptions runs) => TimeSpan.FromSeconds(runs.MaxRunSeconds + runs.DetachGraceSeconds + 60);

    /// <summary>A reservation's member: never a run's id, which is hex digits only.</summary>
    internal static string Member(string reservation) => $"reserved:{reservation}";
}
