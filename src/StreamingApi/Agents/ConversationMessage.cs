namespace StreamingApi.Agents;

/// <summary>One earlier message of a conversation, as the model gets it again: who said it, and its text.</summary>
public sealed record ConversationMessage(ConversationRole Role, string Text);
