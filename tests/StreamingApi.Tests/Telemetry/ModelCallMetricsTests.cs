using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Models;
using StreamingApi.Observability;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Telemetry;

/// <summary>
/// The GenAI conventions' client metrics on <c>/metrics</c> for every model call, sampled or not, counted once whether
/// or not the model's OpenTelemetry client also saw the call.
/// </summary>
[Collection(ProcessMetricsCollection.Name)] // exact counts: /metrics sums the instruments of every test app in the process
public sealed partial class ModelCallMetricsTests
{
    private const string TokenUsage = "gen_ai_client_token_usage";
    private const string Duration = "gen_ai_client_operation_duration_seconds";

    [Fact]
    public async Task ByDefaultAModelCallsTokensAndDurationAreOnMetricsWithTheConventionsAttributesAndBuckets()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateSocketClient();
        var frames = await client.GetFramesAsync("/stream/text?prompt=Explain%20server-sent%20events");
        var usage = frames[^1]["usage"];
        await app.WaitForNoActiveRunsAsync();

        var metrics = await MetricsAsync(client);
        var input = Single(metrics, TokenUsage + "_sum", ("gen_ai_token_type", "input"));
        Assert.Equal(usage.GetProperty("inputTokens").GetInt64(), input.Value);
        Assert.Equal(usage.GetProperty("outputTokens").GetInt64(), Single(metrics, TokenUsage + "_sum", ("gen_ai_token_type", "output")).Value);
        Assert.Equal(1, Single(metrics, TokenUsage + "_count", ("gen_ai_token_type", "input")).Value);
        var duration = Single(metrics, Duration + "_count");
        Assert.Equal(1, duration.Value);
        foreach (var series in new[] { input, duration })
        {
            Assert.Equal("chat", series.Labels["gen_ai_operation_name"]);
            Assert.Equal("offline", series.Labels["gen_ai_provider_name"]);
            Assert.Equal("offline-writer-1", series.Labels["gen_ai_request_model"]);
            Assert.Equal("offline-writer-1", series.Labels["gen_ai_response_model"]);
            Assert.False(series.Labels.ContainsKey("error_type"));
        }
        Assert.InRange(Single(metrics, Duration + "_sum").Value, 0, 30);
        Assert.Equal(1, Single(metrics, "gen_ai_client_operation_time_to_first_chunk_seconds_count").Value);

        // The conventions' bucket boundaries.
        Assert.Equal(1, Single(metrics, TokenUsage + "_bucket", ("gen_ai_token_type", "input"), ("le", "67108864")).Value);
        Assert.Contains(metrics, s => s.Name == TokenUsage + "_bucket" && s.Labels["le"] == "16");
        Assert.Equal(1, Single(metrics, Duration + "_bucket", ("le", "81.92")).Value);
        Assert.Contains(metrics, s => s.Name == Duration + "_bucket" && s.Labels["le"] == "0.01");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)] // the OpenTelemetry client traces every call: it must not count them again
    [InlineData(false, true)] // it sees every call
    public async Task EveryModelCallIsCountedOnceWhetherOrNotItIsTraced(bool sampled, bool modelMetrics)
    {
        var spans = new SpanCapture();
        var app = new StreamingApiApplication().With("Telemetry:ModelMetrics", modelMetrics ? "true" : "false");
        await using var _ = sampled ? app.WithSpans(spans) : app;
        var client = app.CreateSocketClient();
        var frames = await client.GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");
        var usage = frames[^1]["usage"];
        await app.WaitForNoActiveRunsAsync();

        var metrics = await MetricsAsync(client);
        const int calls = 4; // three turns with the tools, and the structured result
        if (sampled) Assert.Equal(calls, spans.All.Count(s => s.DisplayName.StartsWith("chat ", StringComparison.Ordinal)));
        Assert.Equal(calls, Single(metrics, Duration + "_count").Value);
        Assert.Equal(calls, Single(metrics, TokenUsage + "_count", ("gen_ai_token_type", "input")).Value);
        Assert.Equal(calls, Single(metrics, TokenUsage + "_count", ("gen_ai_token_type", "output")).Value);
        Assert.Equal(usage.GetProperty("inputTokens").GetInt64(), Single(metrics, TokenUsage + "_sum", ("gen_ai_token_type", "input")).Value);
        Assert.Equal(usage.GetProperty("outputTokens").GetInt64(), Single(metrics, TokenUsage + "_sum", ("gen_ai_token_type", "output")).Value);
    }

    [Fact]
    public async Task AFailingModelCallRecordsItsDurationWithTheErrorsType()
    {
        await using var app = new StreamingApiApplication().WithServices(services => services.AddSingleton<IChatClient>(provider =>
            new ChatClientBuilder(new ScriptedChatClient("{}", new InvalidOperationException("upstream gone")))
                .UseModelTelemetry(new TelemetryOptions())
                .Build(provider)));
        var client = app.CreateSocketClient();
        var frames = await client.GetFramesAsync("/stream/text?prompt=hello");
        Assert.Equal("error", frames[^2].Type);
        await app.WaitForNoActiveRunsAsync();

        var metrics = await MetricsAsync(client);
        var failed = Single(metrics, Duration + "_count");
        Assert.Equal(1, failed.Value);
        Assert.Equal("System.InvalidOperationException", failed.Labels["error_type"]);
        Assert.Equal(("chat", "scripted", "scripted-model"),
            (failed.Labels["gen_ai_operation_name"], failed.Labels["gen_ai_provider_name"], failed.Labels["gen_ai_request_model"]));
        Assert.DoesNotContain(metrics, s => s.Name.StartsWith(TokenUsage, StringComparison.Ordinal)); // the model reported none
    }

    private sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>The series of <c>/metrics</c>, once the model calls' duration is there.</summary>
    private static async Task<List<Series>> MetricsAsync(HttpClient client)
    {
        var text = "";
        await Eventually.TrueAsync(async () => (text = await client.GetStringAsync("/metrics")).Contains(Duration + "_count", StringComparison.Ordinal),
            "the model calls are on /metrics");
        return [.. SeriesLine().Matches(text).Select(line => new Series(
            line.Groups["name"].Value,
            LabelPair().Matches(line.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value),
            double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture)))];
    }

    private static Series Single(List<Series> metrics, string name, params (string Key, string Value)[] labels) =>
        Assert.Single(metrics, s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][\w:]*)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex SeriesLine();

    [GeneratedRegex(@"(?<key>\w+)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
