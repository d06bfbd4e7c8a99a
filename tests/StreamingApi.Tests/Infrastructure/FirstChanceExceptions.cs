using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// Every exception thrown in the process while it is alive, first chance: each <c>throw</c>, and each rethrow (an
/// <c>await</c> of a faulted or cancelled task, a <c>throw;</c>), as the runtime's <c>dotnet.exceptions</c> counts them.
/// Process-wide: only for tests that run alone.
/// </summary>
public sealed class FirstChanceExceptions : IDisposable
{
    private readonly ConcurrentQueue<string> _thrown = new();

    public FirstChanceExceptions() => AppDomain.CurrentDomain.FirstChanceException += Record;

    public int Count => _thrown.Count;

    /// <summary>Each exception's type, message and where it was (re)thrown.</summary>
    public string Describe() => $"{Count} exceptions thrown:\n" + string.Join("\n\n", _thrown);

    public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= Record;

    private void Record(object? sender, FirstChanceExceptionEventArgs e) =>
        _thrown.Enqueue($"{e.Exception.GetType().Name}: {e.Exception.Message}\n{Environment.StackTrace}");
}
