using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// Every exception thrown in the process while it is alive, first chance: each <c>throw</c>, and each rethrow (an
/// <c>await</c> of a faulted or cancelled task, a <c>throw;</c>), as the runtime's <c>dotnet.exceptions</c> counts them,
/// that passes through the service's own code. Process-wide: only for tests that run alone. Exceptions with no frame of
/// the service are not counted: an earlier test's disposed host can still have timers that fire (the HTTP client
/// factory's clean-up, which throws <see cref="ObjectDisposedException"/> on a disposed provider).
/// </summary>
public sealed class FirstChanceExceptions : IDisposable
{
    private readonly ConcurrentQueue<string> _thrown = new();
    private readonly string? _withinFramework;

    /// <param name="withinFramework">
    /// A namespace (e.g. <c>System.Net.Http.</c>) whose own exceptions are not counted: those thrown in its frames above
    /// the service's, which it handles or hands back as a faulted task; one that reaches the service is counted where the
    /// service awaits it.
    /// </param>
    public FirstChanceExceptions(string? withinFramework = null)
    {
        _withinFramework = withinFramework is null ? null : "at " + withinFramework;
        AppDomain.CurrentDomain.FirstChanceException += Record;
    }

    public int Count => _thrown.Count;

    /// <summary>Each exception's type, message and where it was (re)thrown.</summary>
    public string Describe() => $"{Count} exceptions thrown:\n" + string.Join("\n\n", _thrown);

    public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= Record;

    private void Record(object? sender, FirstChanceExceptionEventArgs e)
    {
        var stack = Environment.StackTrace;
        if (!PassesThroughTheService(stack)) return;
        _thrown.Enqueue($"{e.Exception.GetType().Name}: {e.Exception.Message}\n{stack}");
    }

    private bool PassesThroughTheService(string stack)
    {
        foreach (var line in stack.AsSpan().EnumerateLines())
        {
            var frame = line.TrimStart();
            if (_withinFramework is not null && frame.StartsWith(_withinFramework)) return false;
            if (frame.StartsWith("at StreamingApi.") && !frame.StartsWith("at StreamingApi.Tests.")) return true;
        }
        return false;
    }
}
