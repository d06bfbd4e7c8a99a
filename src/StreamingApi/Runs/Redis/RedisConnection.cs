using StackExchange.Redis;
using StreamingApi.Observability;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// The one connection to Redis (StackExchange.Redis multiplexes every call over it). It never stops start-up: when
/// Redis is out of reach the server starts anyway, says so once, answers 503 on <c>/health/ready</c> and keeps trying
/// in the background; calls made meanwhile fail at once rather than queue.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly ILogger<RedisConnection> _logger;
    private readonly RedisTracing? _tracing;
    private readonly string _endpoint;
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;

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
    }

    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully && _multiplexer.Value.Result.IsConnected;

    public string Endpoint => _endpoint;

    /// <summary>Raised when the connection to Redis is lost.</summary>
    public event Action? Lost;

    /// <summary>Raised when the connection to Redis is back.</summary>
    public event Action? Restored;

    public Task<ConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated) await (await _multiplexer.Value).DisposeAsync();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        _tracing?.Trace(multiplexer);
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
