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
            // Both sent at once on the connection, in this order (a batch would only keep other commands from between them).
            var added = database.StringIncrementAsync(counter, tokens);
            var expires = database.KeyExpireAsync(counter, TimeSpan.FromDays(2));
            await Task.WhenAll(added, expires);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LimitLog.NotBilled(logger, exception, key, tokens);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
