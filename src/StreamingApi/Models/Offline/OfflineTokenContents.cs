using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models.Offline;

/// <summary>
/// The contents of the updates that carry a composed answer's tokens, made once per answer rather than once per token.
/// <see cref="OfflineWriter.Compose"/> keeps recent answers as token arrays, and every stream of the same answer sends the
/// same token strings; here each token also gets its one <see cref="TextContent"/>, in a one-item list of its own, for
/// as long as its answer is kept. A streamed token then costs its <see cref="ChatResponseUpdate"/> alone, where it
/// cost that, a list, an array and a content before (some 250 bytes a token, more than the rest of the stack together).
/// </summary>
/// <remarks>
/// The same content objects go out in the updates of every stream of that answer. Nothing here or in Microsoft.Extensions.AI
/// changes a content once it is streamed (<see cref="ChatResponseExtensions.ToChatResponse(IEnumerable{ChatResponseUpdate})"/>
/// coalesces text into new contents of its own), and the one-item lists are arrays, so that a consumer that tried to add
/// to one would fail loudly instead of changing other streams.
/// </remarks>
internal static class OfflineTokenContents
{
    private static readonly ConditionalWeakTable<IReadOnlyList<string>, AIContent[][]> Made = new();

    /// <summary>One single-content list per token of <paramref name="tokens"/>, made once while those tokens are kept.</summary>
    public static AIContent[][] Of(IReadOnlyList<string> tokens) =>
        Made.GetValue(tokens, static tokens =>
        {
            var contents = new AIContent[tokens.Count][];
            for (var i = 0; i < contents.Length; i++) contents[i] = [new TextContent(tokens[i])];
            return contents;
        });
}
