using System.ComponentModel.DataAnnotations;
using StreamingApi.Agents;

namespace StreamingApi.Streaming;

/// <summary>
/// The conversation a chat protocol sends (the Vercel AI SDK's messages, AG-UI's), once each protocol has read its
/// user and assistant messages as text: checked the same way for both, and turned into an <see cref="AgentRequest"/>.
/// </summary>
public static class Conversations
{
    /// <summary>
    /// What is wrong with the conversation as a request: it must end with a user message that has text (the prompt,
    /// at most <see cref="StreamingOptions.MaxPromptChars"/>), and all its text together must fit
    /// <see cref="StreamingOptions.MaxConversationChars"/>.
    /// </summary>
    public static IEnumerable<ValidationResult> Check(IReadOnlyList<ConversationMessage> messages, StreamingOptions limits, string member)
    {
        if (messages.Count == 0 || messages[^1] is not { Role: ConversationRole.User } last || string.IsNullOrWhiteSpace(last.Text))
        {
            yield return new ValidationResult("The conversation must end with a user message that has text: the request to answer.", [member]);
            yield break;
        }
        if (last.Text.Length > limits.MaxPromptChars)
            yield return new ValidationResult($"The last user message must be at most {limits.MaxPromptChars} characters; it has {last.Text.Length}.", [member]);
        var total = messages.Sum(m => (long)m.Text.Length);
        if (total > limits.MaxConversationChars)
            yield return new ValidationResult($"The conversation's text must be at most {limits.MaxConversationChars} characters; it has {total}.", [member]);
    }

    /// <summary>The last message is the prompt; the messages with text before it are its history.</summary>
    public static AgentRequest ToRequest(IReadOnlyList<ConversationMessage> messages) =>
        new(messages[^1].Text) { History = messages.Take(messages.Count - 1).Where(m => !string.IsNullOrWhiteSpace(m.Text)).ToList() };
}
