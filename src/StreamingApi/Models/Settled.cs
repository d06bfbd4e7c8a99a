using System.Runtime.CompilerServices;

namespace StreamingApi.Models;

/// <summary>
/// Waits for a <see cref="ValueTask{TResult}"/> to complete without taking its result: awaiting it never throws, so a
/// read that a stopped run's token cancelled can be left as it is, with no exception rethrown through our code. The
/// caller then looks at the task: <see cref="ValueTask{TResult}.IsCompletedSuccessfully"/> and its result, or, when it
/// failed and nobody stopped the call, its exception (by awaiting it again, which completes at once). No allocation:
/// the continuation is handed to the task itself, as an <c>await</c> of it would.
/// </summary>
internal readonly struct Settled<T>(ValueTask<T> task) : ICriticalNotifyCompletion
{
    public Settled<T> GetAwaiter() => this;

    public bool IsCompleted => task.IsCompleted;

    public void GetResult()
    {
        // Nothing: the task's outcome is the caller's to read.
    }

    public void OnCompleted(Action continuation) => task.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation) => task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
}
