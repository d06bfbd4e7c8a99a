using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingApi.AgUi;

/// <summary>
/// AG-UI's events and messages, their JSON metadata made by the source generator at compile time, as
/// <see cref="Runs.RunEventJsonContext"/> is for our own events: a resolver of the app's JSON options, whose settings the
/// bytes follow. Values typed <c>object</c> are left to the options' reflection resolver.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(RunStartedEvent))]
[JsonSerializable(typeof(RunFinishedEvent))]
[JsonSerializable(typeof(RunErrorEvent))]
[JsonSerializable(typeof(TextMessageStartEvent))]
[JsonSerializable(typeof(TextMessageContentEvent))]
[JsonSerializable(typeof(TextMessageEndEvent))]
[JsonSerializable(typeof(ReasoningStartEvent))]
[JsonSerializable(typeof(ReasoningMessageStartEvent))]
[JsonSerializable(typeof(ReasoningMessageContentEvent))]
[JsonSerializable(typeof(ReasoningMessageEndEvent))]
[JsonSerializable(typeof(ReasoningEndEvent))]
[JsonSerializable(typeof(ToolCallStartEvent))]
[JsonSerializable(typeof(ToolCallArgsEvent))]
[JsonSerializable(typeof(ToolCallEndEvent))]
[JsonSerializable(typeof(ToolCallResultEvent))]
[JsonSerializable(typeof(StateSnapshotEvent))]
[JsonSerializable(typeof(MessagesSnapshotEvent))]
[JsonSerializable(typeof(CustomEvent))]
[JsonSerializable(typeof(AssistantMessage))]
[JsonSerializable(typeof(ToolMessage))]
[JsonSerializable(typeof(ReasoningMessage))]
internal sealed partial class AgUiJsonContext : JsonSerializerContext;
