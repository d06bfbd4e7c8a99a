using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StreamingApi.Agents;

/// <summary>
/// A tool the client offers and runs itself (AG-UI's <c>RunAgentInput.tools</c>; the UI message stream's <c>tools</c>
/// in the request body): the model is offered it beside the agent's own; when the model calls it, the run waits for
/// the client's result, which the client's next request brings.
/// </summary>
/// <param name="Name">The tool's name, as the model calls it.</param>
/// <param name="Description">What the tool does, for the model.</param>
/// <param name="Parameters">The JSON Schema of its arguments; an object with no properties when there is none.</param>
public sealed record ClientTool(string Name, string? Description, JsonElement? Parameters)
{
    private static readonly JsonElement NoParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;

    /// <summary>
    /// The id under which a waiting run awaits the result of the client's call <paramref name="callId"/>, beside its
    /// approvals: never an approval's (those the function invocation layer names), so that no approval decides it.
    /// </summary>
    public static string WaitId(string callId) => WaitPrefix + callId;

    /// <summary>The call a <see cref="WaitId"/> awaits; null for an approval's id.</summary>
    public static string? CallIdOf(string waitId) => waitId.StartsWith(WaitPrefix, StringComparison.Ordinal) ? waitId[WaitPrefix.Length..] : null;

    private const string WaitPrefix = "tool:";

    /// <summary>The tool as the model is offered it: a declaration the function invocation layer cannot invoke, so it hands the call back.</summary>
    public AIFunctionDeclaration ToDeclaration() =>
        AIFunctionFactory.CreateDeclaration(Name, Description ?? "", Parameters is { ValueKind: JsonValueKind.Object } schema ? schema : NoParameters);
}
