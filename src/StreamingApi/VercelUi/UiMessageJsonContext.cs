using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingApi.VercelUi;

/// <summary>
/// The UI message stream's parts, their JSON metadata made by the source generator at compile time, as
/// <see cref="Runs.RunEventJsonContext"/> is for our own events: a resolver of the app's JSON options, whose settings the
/// bytes follow. Values typed <c>object</c> are left to the options' reflection resolver.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(UiStart))]
[JsonSerializable(typeof(UiStartStep))]
[JsonSerializable(typeof(UiFinishStep))]
[JsonSerializable(typeof(UiTextStart))]
[JsonSerializable(typeof(UiTextDelta))]
[JsonSerializable(typeof(UiTextEnd))]
[JsonSerializable(typeof(UiReasoningStart))]
[JsonSerializable(typeof(UiReasoningDelta))]
[JsonSerializable(typeof(UiReasoningEnd))]
[JsonSerializable(typeof(UiToolInputAvailable))]
[JsonSerializable(typeof(UiToolOutputAvailable))]
[JsonSerializable(typeof(UiToolOutputError))]
[JsonSerializable(typeof(UiToolApprovalRequest))]
[JsonSerializable(typeof(UiToolOutputDenied))]
[JsonSerializable(typeof(UiDataResult))]
[JsonSerializable(typeof(UiDataProgress))]
[JsonSerializable(typeof(UiError))]
[JsonSerializable(typeof(UiMessageMetadata))]
[JsonSerializable(typeof(UiFinish))]
[JsonSerializable(typeof(UiAbort))]
internal sealed partial class UiMessageJsonContext : JsonSerializerContext;
