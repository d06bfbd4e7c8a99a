namespace StreamingApi.Agents;

public enum ConversationRole
{
    User,
    Assistant,
}
