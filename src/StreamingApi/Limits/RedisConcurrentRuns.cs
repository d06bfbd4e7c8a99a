using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>
/// The runs each caller has in progress on every instance: a sorted set per caller of its running runs' ids, each
/// scored with the time by which it has surely ended (its instance's <c>Runs:MaxRunSeconds</c> and detach grace, and a
/// minute more). A run whose instance died without saying it ended stops counting then; the set itself expires too.
/// </summary>
public sealed class RedisConcurrentRuns(RedisConnection redis, RedisLimitKeys keys, IOptions<RunOptions> runs, TimeProvider time,
    ILogger<RedisConcurrentRuns> logger) : IConcurrentRuns
{
    private const string CountScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        return redis.call('ZCARD', KEYS[1])
        """;

    private readonly RedisGuard _guard = new(redis);

    private TimeSpan Lifetime => TimeSpan.FromSeconds(runs.Value.MaxRunSeconds + runs.Value.DetachGraceSeconds + 60);

    public async ValueTask<int> CountAsync(string key, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync(); // Redis out of reach: 503, as for the runs themselves
        return await _guard.RunAsync(async () =>
            (int)await database.ScriptEvaluateAsync(CountScript, [keys.Running(key)], [time.GetUtcNow().ToUnixTimeMilliseconds()]));
    }

    public async ValueTask StartedAsync(string key, string runId)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var lifetime = Lifetime;
            var running = keys.Running(key);
            var batch = database.CreateBatch();
            var added = batch.SortedSetAddAsync(running, runId, (time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds());
            var expires = batch.KeyExpireAsync(running, lifetime);
            batch.Execute();
            await Task.WhenAll(added, expires);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LimitLog.NotCounted(logger, exception, runId);
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
}
