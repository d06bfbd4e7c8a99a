using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// The run events' JSON metadata, made by System.Text.Json's source generator at compile time: the first event a
/// process writes does not wait for reflection over the records and for the JIT to compile accessors emitted at run
/// time. It is the first resolver of the app's JSON options (see
/// <see cref="Streaming.StreamingServiceCollectionExtensions.AddStreaming"/>), whose settings (camelCase, the relaxed
/// encoder) the metadata follows, so the bytes are those reflection made. Values typed <c>object</c> (tool arguments
/// and results, structured outputs) are of types known only at run time: the options' next resolver, reflection, takes them.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(RunStarted))]
[JsonSerializable(typeof(RunSnapshot))]
[JsonSerializable(typeof(TextDelta))]
[JsonSerializable(typeof(ReasoningDelta))]
[JsonSerializable(typeof(ToolCallStarted))]
[JsonSerializable(typeof(ApprovalRequested))]
[JsonSerializable(typeof(ApprovalDecided))]
[JsonSerializable(typeof(ToolCallCompleted))]
[JsonSerializable(typeof(PartialOutput))]
[JsonSerializable(typeof(FinalOutput))]
[JsonSerializable(typeof(ProgressReport))]
[JsonSerializable(typeof(RunError))]
[JsonSerializable(typeof(RunDone))]
[JsonSerializable(typeof(List<ToolCallState>))]
[JsonSerializable(typeof(IReadOnlyList<ToolCallState>))]
internal sealed partial class RunEventJsonContext : JsonSerializerContext;
