using OpenTelemetry.Instrumentation.StackExchangeRedis;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace StreamingApi.Observability;

/// <summary>
/// Spans for the calls to Redis, when spans are recorded at all: the instrumentation profiles every command of a
/// connection it is given, so a connection is given to it only when a tracer provider exists.
/// </summary>
public sealed class RedisTracing(IServiceProvider services)
{
    public void Trace(IConnectionMultiplexer connection)
    {
        if (services.GetService<TracerProvider>() is null) return;
        services.GetService<StackExchangeRedisInstrumentation>()?.AddConnection(connection);
    }
}
