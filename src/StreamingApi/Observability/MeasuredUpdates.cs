using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StreamingApi.Observability;

/// <summary>
/// A streamed model call's updates, passed through as they come while a <see cref="ModelCall"/> sees each one and ends
/// with the call: when the updates end (stopped, when they end once the call's token has fired), when reading them
/// fails, or when the reader stops early. An update that is ready costs a type test per content and no await of its own.
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

    private sealed class Enumerator(IAsyncEnumerator<ChatResponseUpdate> inner, ModelCall call, CancellationToken callToken, CancellationToken readerToken)
        : IAsyncEnumerator<ChatResponseUpdate>
    {
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
            return next.IsCompletedSuccessfully ? new ValueTask<bool>(Moved(next.Result)) : AwaitedAsync(next);
        }

        // Pooled: a paced model's every update is awaited here, and one box per update would be most of what it allocates.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> AwaitedAsync(ValueTask<bool> next)
        {
            bool moved;
            try
            {
                moved = await next.ConfigureAwait(false);
            }
            catch (Exception error)
            {
                call.Ended(error);
                throw;
            }
            return Moved(moved);
        }

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
