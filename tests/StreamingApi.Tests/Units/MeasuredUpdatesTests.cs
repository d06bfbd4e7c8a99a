using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Observability;

namespace StreamingApi.Tests.Units;

/// <summary>A measured call's updates pass through in order, whether each is ready or awaited, and its end is recorded once.</summary>
public sealed class MeasuredUpdatesTests
{
    [Fact]
    public async Task UpdatesThatAreAwaitedPassThroughInOrderAndAFailureAfterThemIsRecordedWithItsType()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        using var recorded = new DurationListener(meters);
        recorded.Start();
        var metrics = new ModelCallMetrics(meters);
        var updates = new MeasuredUpdates(Paced(["a", "b", "c"], new InvalidOperationException("upstream gone")), metrics,
            new ChatClientMetadata("scripted", null, "scripted-model"), "scripted-model");

        var seen = new List<string>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var update in updates) seen.Add(update.Text);
        });

        Assert.Equal("upstream gone", failure.Message);
        Assert.Equal(["a", "b", "c"], seen);
        var (_, tags) = Assert.Single(recorded.Durations);
        Assert.Equal("System.InvalidOperationException", tags["error.type"]);
        Assert.Equal("scripted-model", tags["gen_ai.response.model"]);
    }

    [Fact]
    public async Task AReaderThatStopsEarlyEndsTheCallOnceWithoutAnError()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        using var recorded = new DurationListener(meters);
        recorded.Start();
        var metrics = new ModelCallMetrics(meters);
        var updates = new MeasuredUpdates(Paced(["a", "b", "c"], null), metrics, null, "m");

        await foreach (var update in updates)
        {
            if (update.Text == "b") break;
        }

        var (_, tags) = Assert.Single(recorded.Durations);
        Assert.False(tags.ContainsKey("error.type"));
    }

    /// <summary>Each update comes after a yield (never ready when asked for), then <paramref name="failure"/> if any.</summary>
    private static async IAsyncEnumerable<ChatResponseUpdate> Paced(string[] texts, Exception? failure,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var text in texts)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = "scripted-model" };
        }
        await Task.Yield();
        if (failure is not null) throw failure;
    }

    /// <summary>The durations recorded on <see cref="ModelCallMetrics.MeterName"/> of <paramref name="meters"/> (not another test's), with their tags.</summary>
    private sealed class DurationListener(IMeterFactory meters) : IDisposable
    {
        private readonly MeterListener _listener = new();

        public List<(double Seconds, Dictionary<string, object?> Tags)> Durations { get; } = [];

        public void Start()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == ModelCallMetrics.MeterName && instrument.Name == "gen_ai.client.operation.duration")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                lock (Durations) Durations.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            });
            _listener.Start();
        }

        public void Dispose() => _listener.Dispose();
    }
}
