using StackExchange.Redis;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>Each caller's tokens today on every instance: one counter per caller and UTC day, INCRBY at each run's end, kept two days.</summary>
public sealed class RedisTokenQuotas(RedisConnection redis, RedisLimitKeys keys, TimeProvider time, ILogger<RedisTokenQuotas> logger) : ITokenQuotas
{
    private readonly RedisGuard _guard = new(redis);

    public async ValueTask<long> UsedTodayAsync(string key, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync(); // Redis out of reach: 503, as for the runs themselves
        return await _guard.RunAsync(async () => (long?)await database.StringGetAsync(keys.Tokens(key, Today())) ?? 0);
    }

    public async ValueTask AddAsync(string key, long tokens)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var counter = keys.Tokens(key, Today());
            var batch = database.CreateBatch();
            var added = batch.StringIncrementAsync(counter, tokens);
            var expires = batch.KeyExpireAsync(counter, TimeSpan.FromDays(2));
            batch.Execute();
            await Task.WhenAll(added, expires);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LimitLog.NotBilled(logger, exception, key, tokens);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
