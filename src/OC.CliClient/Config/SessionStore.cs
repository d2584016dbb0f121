using System.Text.Json;
using OC.Protocol;

namespace OC.CliClient.Config;

/// <summary>
/// The session file (<c>session.json</c> in the config folder): one session at a time, mode 0600
/// from the moment it exists, replaced atomically.
/// </summary>
internal sealed class SessionStore(ConfigFolder folder)
{
    public string Path => folder.SessionFile;

    /// <summary>The saved session, or null when there is none. A file that does not parse is an error, not "logged out".</summary>
    public Session? Load()
    {
        string json;
        try
        {
            json = File.ReadAllText(Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        Session? session;
        try
        {
            session = JsonSerializer.Deserialize(json, SessionJsonContext.Default.Session);
        }
        catch (JsonException)
        {
            session = null;
        }

        if (session is null
            || session.Token is not { Length: ProtocolLimits.SessionTokenBytes }
            || session.Server is null
            || !ServerAddress.TryParse(session.Server, out _, out _))
        {
            throw new CliException($"the session file {Path} is damaged; delete it and run oc login NUMBER");
        }

        return session;
    }

    public void Save(Session session)
    {
        folder.Create();
        AtomicFile.Write(Path, JsonSerializer.Serialize(session, SessionJsonContext.Default.Session) + "\n", ownerOnly: true);
    }

    /// <summary>Deletes the file; true if there was one.</summary>
    public bool Delete()
    {
        if (!File.Exists(Path)) return false;
        File.Delete(Path);
        return true;
    }
}
