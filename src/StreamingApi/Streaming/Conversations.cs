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
    /// What is wrong with a request's messages: that there are none or more than <paramref name="maxMessages"/>
    /// (<c>Limits:MaxMessages</c>), what <paramref name="problems"/> finds in each one
    /// (named by its index), and, when each is well formed, what <see cref="Check"/> finds in the conversation they make.
    /// </summary>
    public static IEnumerable<ValidationResult> CheckMessages<TMessage>(IReadOnlyList<TMessage>? messages, Func<TMessage, IEnumerable<string>> problems,
        Func<IReadOnlyList<ConversationMessage>> conversation, StreamingOptions limits, int maxMessages, string member)
    {
        if (messages is null)
        {
            yield return new ValidationResult("The messages are required: the conversation, ending with the user's message.", [member]);
            yield break;
        }
        if (messages.Count > maxMessages)
        {
            yield return new ValidationResult($"A conversation may have at most {maxMessages} messages (Limits:MaxMessages); it has {messages.Count}.", [member]);
            yield break;
        }
        var malformed = false;
        for (var i = 0; i < messages.Count; i++)
        {
            foreach (var problem in problems(messages[i]))
            {
                malformed = true;
                yield return new ValidationResult(problem, [$"{member}[{i}]"]);
            }
        }
        if (malformed) yield break;
        foreach (var result in Check(conversation(), limits, member)) yield return result;
    }

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
