using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.AgUi;
using StreamingApi.Runs;
using StreamingApi.Streaming;
using StreamingApi.VercelUi;

namespace StreamingApi.Tests.Units;

/// <summary>
/// The wire's records go through the source-generated metadata (made at compile time, for start-up), and the bytes are
/// exactly those the reflection-based serializer writes with the same settings.
/// </summary>
public sealed class WireJsonTests
{
    /// <summary>The app's JSON options, as <see cref="StreamingServiceCollectionExtensions.AddStreaming"/> sets them.</summary>
    private static readonly JsonOptions AppJson = new ServiceCollection().AddStreaming().BuildServiceProvider()
        .GetRequiredService<IOptions<JsonOptions>>().Value;

    private static JsonSerializerOptions App => AppJson.SerializerOptions;

    /// <summary>The settings the app had before: the web defaults and the relaxed encoder, by reflection alone.</summary>
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static readonly DateTimeOffset At = new(2026, 11, 30, 12, 0, 0, TimeSpan.FromHours(1));

    private static Dictionary<string, object?> Arguments() => new() { ["city"] = "Zürich <north>", ["days"] = 3L, ["exact"] = null };

    public static TheoryData<object> Samples() =>
    [
        new RunStarted("r1", "writer", "offline", At) { TraceId = "abc" },
        new RunStarted("r1", "writer", "offline", At),
        new TextDelta("héllo \"wörld\" ✓ <b>&</b> \u2028 😀"),
        new ReasoningDelta("thinking…"),
        new ToolCallStarted("c1", "weather", Arguments()) { Client = true },
        new ToolCallCompleted("c1", "weather", JsonSerializer.SerializeToElement(new { temp = 3.5, unit = "C" }), 12) { Error = null },
        new ToolCallCompleted("c2", "weather", null, 1) { Error = "denied", Client = true },
        new ApprovalRequested("a1", "c1", "send", Arguments(), At),
        new ApprovalDecided("a1", false, null),
        new PartialOutput(JsonNode.Parse("""{"title":"Q3","items":[1,2]}""")!),
        new FinalOutput(new Dictionary<string, object?> { ["title"] = "Q3", ["score"] = 0.75 }),
        new ProgressReport(4, 120, 250, 480.5),
        new RunError("https://example.com/problems/model", "Model failed", 502, "upstream said no"),
        new RunDone("completed", null, 20, 400, 1234, new UsageReport(10, 20, 30) { ReasoningTokens = 5 }),
        new RunDone("cancelled", "client", 0, 0, 3, null),
        new RunSnapshot(7, new RunStarted("r1", "analyst", "offline", At), "running", "so far", "hmm",
            [new ToolCallState("c1", "weather", Arguments(), null, null, null, new ToolCallApproval("a1", At, null, null), Client: true)],
            JsonNode.Parse("""{"a":1}"""), null, new ProgressReport(1, 2, 3, 4), null, null, null),
        new UiStart("r1", new UiStartMetadata("writer", "offline")),
        UiStartStep.Instance,
        new UiTextDelta("t1", "héllo ✓"),
        new UiToolInputAvailable("c1", "weather", Arguments()),
        new UiToolOutputAvailable("c1", null),
        new UiDataResult(new UiResult(new Dictionary<string, object?> { ["x"] = 1 }, true)),
        new UiFinish(new UiEndMetadata("completed", null, new UsageReport(1, 2, 3), 40)),
        UiAbort.Instance,
        new RunStartedEvent("th1", "r1"),
        new TextMessageContentEvent("m1", "héllo ✓"),
        new RunFinishedEvent("th1", "r1", null, [new AgUiUsage(null, 1, 2, 3, null)]),
        new RunErrorEvent("failed", "model", null),
        new AssistantMessage("m1", null, [new ToolCall("c1", new FunctionCall("weather", "{}"))]),
    ];

    [Theory]
    [MemberData(nameof(Samples))]
    public void TheBytesAreThoseReflectionWrites(object sample)
    {
        var made = JsonSerializer.Serialize(sample, sample.GetType(), App);

        Assert.Equal(JsonSerializer.Serialize(sample, sample.GetType(), Reflection), made);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void TheRecordsMetadataWasMadeAtCompileTime(object sample)
    {
        var resolver = App.GetTypeInfo(sample.GetType()).OriginatingResolver;

        Assert.IsAssignableFrom<System.Text.Json.Serialization.JsonSerializerContext>(resolver);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void AnEventReadBackIsWrittenAsTheSameBytes(object sample)
    {
        if (sample is not AgentEvent @event) return; // the mappings' messages are only written
        var codec = new RunEventCodec(Options.Create(AppJson));

        var again = codec.Encode(codec.Decode(@event.EventType, codec.Encode(@event)));

        Assert.Equal(JsonSerializer.Serialize(@event, @event.GetType(), Reflection), System.Text.Encoding.UTF8.GetString(again));
    }
}
