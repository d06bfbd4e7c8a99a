using StackExchange.Redis;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// This instance's lease: a key (<see cref="RedisKeys.Instance"/>) that exists while the instance lives, renewed a
/// third of <c>Redis:LeaseSeconds</c> at a time. A run whose owner's lease has expired is failed (<c>instance-lost</c>)
/// by whoever notices first, so readers elsewhere never hang.
/// </summary>
internal sealed class RedisLease(RedisRunContext context)
{
    private ITimer? _timer;

    /// <summary>Renews the lease from now on, whether Redis is there or not (a tick while it is away does nothing).</summary>
    public void Start()
    {
        var every = TimeSpan.FromSeconds(Math.Max(0.2, context.Options.LeaseSeconds / 3));
        _timer = context.Time.CreateTimer(_ => _ = RenewAsync(), null, every, every);
    }

    public async Task RenewAsync()
    {
        try
        {
            var database = await context.Guard.DatabaseAsync();
            await database.StringSetAsync(context.Keys.Instance(context.InstanceId), DateTimeOffset.UtcNow.ToString("O"),
                TimeSpan.FromSeconds(context.Options.LeaseSeconds));
        }
        catch (Exception exception) when (exception is RedisException or RunStoreUnavailableException or TimeoutException or ObjectDisposedException)
        {
            // Redis is away: the connection's own log line says so, and the next tick tries again.
        }
    }

    /// <summary>A clean stop: the lease is given up at once, so no one waits for it to expire.</summary>
    public async Task EndAsync()
    {
        _timer?.Dispose();
        try
        {
            await (await context.Guard.DatabaseAsync()).KeyDeleteAsync(context.Keys.Instance(context.InstanceId));
        }
        catch (Exception exception) when (exception is RunStoreUnavailableException or ObjectDisposedException)
        {
            // Redis is away, or the connection is already closed as the host stops: the lease expires by itself.
        }
    }
}
