using Microsoft.Extensions.AI;

namespace StreamingApi.Observability;

/// <summary>
/// A streamed model call's updates, passed through as they come while a <see cref="ModelCall"/> sees each one and ends
/// with the call: when the updates end, when reading them fails, or when the reader stops early. An update that is
/// ready costs a type test per content and no await of its own.
/// </summary>
public sealed class MeasuredUpdates(IAsyncEnumerable<ChatResponseUpdate> updates, Func<ModelCall> start) : IAsyncEnumerable<ChatResponseUpdate>
{
    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var call = start();
        try
        {
            return new Enumerator(updates.GetAsyncEnumerator(cancellationToken), call);
        }
        catch (Exception error)
        {
            call.Ended(error);
            throw;
        }
    }

    private sealed class Enumerator(IAsyncEnumerator<ChatResponseUpdate> inner, ModelCall call) : IAsyncEnumerator<ChatResponseUpdate>
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
