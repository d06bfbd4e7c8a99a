using System.Collections.Concurrent;

namespace StreamingApi.Observability;

/// <summary>
/// One logger per category, as ASP.NET Core's own factory keeps them. Serilog's factory makes a new logger (with its
/// own caches) at every call, and ASP.NET Core's authentication handlers, made per request, each ask for one: a held
/// stream kept two of them for its whole life.
/// </summary>
internal sealed class CachingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    /// <summary>A logger kept for the category, looked up without a delegate: handlers made per request ask often.</summary>
    public ILogger CreateLogger(string categoryName) =>
        _loggers.TryGetValue(categoryName, out var logger) ? logger : _loggers.GetOrAdd(categoryName, inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider)
    {
        inner.AddProvider(provider);
        _loggers.Clear(); // loggers made before the provider would not write to it
    }

    public void Dispose() => inner.Dispose();
}
