using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StreamingApi.Models;
using StreamingApi.Observability;

namespace StreamingApi.Tests.Units;

/// <summary>
/// Microsoft.Extensions.AI's OpenTelemetry client keeps every update of a streamed call until it ends: a model call that
/// no one records must not go through it.
/// </summary>
public sealed class ObservedChatClientTests
{
    [Fact]
    public async Task ACallOutsideARecordedTraceKeepsNoUpdateAlive()
    {
        var model = new CountingModel();
        using var client = new ObservedChatClient(model, new TelemetryOptions());
        Assert.False(await FirstUpdateAliveAfterManyAsync(client, model));
    }

    [Fact]
    public async Task WithModelMetricsEveryCallIsMeasuredAndItsUpdatesAreKeptUntilItEnds()
    {
        var model = new CountingModel();
        using var client = new ObservedChatClient(model, new TelemetryOptions { ModelMetrics = true });
        Assert.True(await FirstUpdateAliveAfterManyAsync(client, model));
        Assert.NotNull(client.GetService<OpenTelemetryChatClient>()); // what a function invoker built on it asks for
    }

    private static async Task<bool> FirstUpdateAliveAfterManyAsync(IChatClient client, CountingModel model)
    {
        var alive = false;
        var read = 0;
        await foreach (var _ in client.GetStreamingResponseAsync("Explain harbours"))
        {
            if (++read != 900) continue;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            alive = model.First!.IsAlive;
        }
        Assert.Equal(1_000, read);
        return alive;
    }

    private sealed class CountingModel : IChatClient
    {
        public WeakReference? First { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < 1_000; i++)
            {
                var update = new ChatResponseUpdate(ChatRole.Assistant, $"token {i} ");
                if (i == 0) First = new WeakReference(update);
                yield return update;
                await Task.Yield();
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
