using StackExchange.Redis;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// Every call to Redis goes through here, so that Redis being out of reach reads the same everywhere: as a
/// <see cref="RunStoreUnavailableException"/>, which the run host and the endpoints already answer.
/// </summary>
internal sealed class RedisGuard(RedisConnection connection)
{
    /// <summary>The database, or the store unavailable at once when the connection is down (calls would fail anyway).</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        var multiplexer = await connection.GetAsync();
        if (!multiplexer.IsConnected) throw Unavailable(null);
        return multiplexer.GetDatabase();
    }

    /// <summary>
    /// The database on the writer's own connection (<see cref="RedisConnection.GetWriterAsync"/>); while that one is not
    /// connected (Redis came back and it has not reconnected yet), the shared one's, as for every other call. A run has
    /// one command out at a time, so its events keep their order whichever connection carries them.
    /// </summary>
    public async Task<IDatabase> WriterDatabaseAsync()
    {
        var writer = await connection.GetWriterAsync();
        return writer.IsConnected ? writer.GetDatabase() : await DatabaseAsync();
    }

    /// <summary>Runs a Redis call; its failure is the store being unavailable.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (IsOutOfReach(exception))
        {
            throw Unavailable(exception);
        }
    }

    /// <summary>
    /// Whether a Redis call's failure is Redis out of reach (the store unavailable): for a call on a start's path that
    /// catches it itself rather than pass a closure to <see cref="RunAsync{T}"/>.
    /// </summary>
    public static bool IsOutOfReach(Exception exception) => exception is RedisException or TimeoutException or ObjectDisposedException;

    /// <inheritdoc cref="RunAsync{T}"/>
    public Task RunAsync(Func<Task> call) => RunAsync(async () =>
    {
        await call();
        return true;
    });

    public RunStoreUnavailableException Unavailable(Exception? inner) =>
        new($"The run store (Redis at {connection.Endpoint}) is out of reach.", inner);
}
