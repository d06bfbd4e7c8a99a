using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.AI;

namespace StreamingApi.Observability;

/// <summary>
/// A streamed model call's updates, passed through as they come while a <see cref="ModelCall"/> sees each one and ends
/// with the call: when the updates end (stopped, when they end once the call's token has fired), when reading them
/// fails, or when the reader stops early. An update that is ready costs a type test per content and no await of its own;
/// one that is not costs no allocation.
/// </summary>
/// <param name="metrics">Where the call is measured: it starts when its updates are first asked for.</param>
/// <param name="model">The model's metadata, and <paramref name="requestModel"/> the model asked for (see <see cref="ModelCallMetrics.Start"/>).</param>
/// <param name="callToken">The call's own token, which a stopped call's stream was given.</param>
public sealed class MeasuredUpdates(IAsyncEnumerable<ChatResponseUpdate> updates, ModelCallMetrics metrics, ChatClientMetadata? model, string? requestModel,
    CancellationToken callToken = default) : IAsyncEnumerable<ChatResponseUpdate>
{
    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var call = metrics.Start(model, requestModel);
        try
        {
            return new Enumerator(updates.GetAsyncEnumerator(cancellationToken), call, callToken, cancellationToken);
        }
        catch (Exception error)
        {
            call.Ended(error);
            throw;
        }
    }

    /// <summary>
    /// Reads the updates for one reader, one <see cref="MoveNextAsync"/> at a time (as every async enumerator is read): an
    /// update that is not ready yet is awaited through the enumerator itself, reused for every update, rather than
    /// through a state machine of its own (pooled, it was still often made anew under thousands of streams).
    /// </summary>
    private sealed class Enumerator(IAsyncEnumerator<ChatResponseUpdate> inner, ModelCall call, CancellationToken callToken, CancellationToken readerToken)
        : IAsyncEnumerator<ChatResponseUpdate>, IValueTaskSource<bool>
    {
        private ManualResetValueTaskSourceCore<bool> _next; // the pending MoveNextAsync's result, its continuation run inline
        private ConfiguredValueTaskAwaitable<bool>.ConfiguredValueTaskAwaiter _pending;
        private Action? _whenPending; // made at the first update that is not ready, then reused

        public ChatResponseUpdate Current => inner.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            ValueTask<bool> next;
            try
            {
                next = inner.MoveNextAsync();
            }
            catch (Exception error)
            {
                call.Ended(error);
                throw;
            }
            if (next.IsCompletedSuccessfully) return new ValueTask<bool>(Moved(next.Result));
            _next.Reset();
            _pending = next.ConfigureAwait(false).GetAwaiter();
            _pending.UnsafeOnCompleted(_whenPending ??= Completed);
            return new ValueTask<bool>(this, _next.Version);
        }

        /// <summary>The pending update is there (or the updates ended, or failed): the reader's wait completes with it.</summary>
        private void Completed()
        {
            var pending = _pending;
            _pending = default;
            bool moved;
            try
            {
                moved = pending.GetResult();
            }
            catch (Exception error)
            {
                call.Ended(error);
                _next.SetException(error);
                return;
            }
            try
            {
                moved = Moved(moved);
            }
            catch (Exception error)
            {
                _next.SetException(error);
                return;
            }
            _next.SetResult(moved);
        }

        bool IValueTaskSource<bool>.GetResult(short token) => _next.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _next.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _next.OnCompleted(continuation, state, token, flags);

        private bool Moved(bool moved)
        {
            if (moved) call.Saw(inner.Current);
            else if (callToken.IsCancellationRequested || readerToken.IsCancellationRequested) call.Stopped(); // a model that ends a stopped stream quietly
            else call.Ended();
            return moved;
        }

        public ValueTask DisposeAsync()
        {
            call.Ended();
            return inner.DisposeAsync();
        }
    }
}
