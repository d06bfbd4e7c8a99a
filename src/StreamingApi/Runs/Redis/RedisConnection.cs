using StackExchange.Redis;
using StreamingApi.Observability;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// The connection to Redis (StackExchange.Redis multiplexes every call over it), and beside it the one the instance's
/// writer of events sends its batches on (<see cref="GetWriterAsync"/>). It never stops start-up: when
/// Redis is out of reach the server starts anyway, says so once, answers 503 on <c>/health/ready</c> and keeps trying
/// in the background; calls made meanwhile fail at once rather than queue.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly ILogger<RedisConnection> _logger;
    private readonly RedisTracing? _tracing;
    private readonly string _endpoint;
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly Lazy<Task<ConnectionMultiplexer>> _writer;

    public RedisConnection(IConfiguration configuration, ILogger<RedisConnection> logger, RedisTracing? tracing = null)
    {
        _logger = logger;
        _tracing = tracing;
        var connectionString = configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("Runs:Store is 'redis' but ConnectionStrings:Redis is not set.");
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false; // start anyway, connect in the background
        options.BacklogPolicy = BacklogPolicy.FailFast; // while disconnected, calls fail at once instead of queueing
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 3000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 3000);
        options.ClientName ??= "streamingapi";
        _endpoint = string.Join(",", options.EndPoints.Select(e => e.ToString()));
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(options));
        var writer = options.Clone();
        writer.ClientName += "-writer";
        _writer = new Lazy<Task<ConnectionMultiplexer>>(() => OpenAsync(writer));
    }

    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully && _multiplexer.Value.Result.IsConnected;

    public string Endpoint => _endpoint;

    /// <summary>Raised when the connection to Redis is lost.</summary>
    public event Action? Lost;

    /// <summary>Raised when the connection to Redis is back.</summary>
    public event Action? Restored;

    public Task<ConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    /// <summary>
    /// The writer's own connection. Its batches carry the events of every run of the instance (hundreds of scripts in
    /// one round trip when many runs stream): on the connection every other call uses, a run's start, a reader's read or
    /// an approval queued behind a whole batch, and was answered only after every one of its replies. On a connection of
    /// their own, Redis takes the other calls between the batch's parts. The order of a run's events is the writer's
    /// alone; what a run does after its events (ending, waiting for approval) waits until they are answered.
    /// </summary>
    public Task<ConnectionMultiplexer> GetWriterAsync() => _writer.Value;

    public async ValueTask DisposeAsync()
    {
        if (_writer.IsValueCreated) await (await _writer.Value).DisposeAsync();
        if (_multiplexer.IsValueCreated) await (await _multiplexer.Value).DisposeAsync();
    }

    /// <summary>
    /// A connection, traced. The writer's is only that: while it is down the writer uses the shared one
    /// (<see cref="RedisGuard.WriterDatabaseAsync"/>), whose loss and return are what the store is told.
    /// </summary>
    private async Task<ConnectionMultiplexer> OpenAsync(ConfigurationOptions options)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        _tracing?.Trace(multiplexer);
        return multiplexer;
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
    {
        var multiplexer = await OpenAsync(options);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType != ConnectionType.Interactive) return;
            RedisLog.Lost(_logger, _endpoint, e.FailureType.ToString());
            Lost?.Invoke();
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType != ConnectionType.Interactive) return;
            RedisLog.Restored(_logger, _endpoint);
            Restored?.Invoke();
        };
        if (multiplexer.IsConnected) RedisLog.Connected(_logger, _endpoint);
        else RedisLog.Unreachable(_logger, _endpoint);
        return multiplexer;
    }
}
