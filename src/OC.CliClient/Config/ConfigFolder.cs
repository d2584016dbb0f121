namespace OC.CliClient.Config;

/// <summary>
/// The folder where `oc` keeps its session, the last appliance used and the appliances it trusts:
/// <c>$OC_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/oc</c>, else <c>~/.config/oc</c>.
/// Created on first write with mode 0700, since the session file in it is a credential.
/// </summary>
internal sealed class ConfigFolder
{
    public const string ConfigDirVariable = "OC_CONFIG_DIR";
    public const string XdgConfigHomeVariable = "XDG_CONFIG_HOME";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public ConfigFolder(string path) => Path = path;

    public string Path { get; }

    public string SessionFile => System.IO.Path.Combine(Path, "session.json");

    public string LastServerFile => System.IO.Path.Combine(Path, "server");

    /// <summary>The appliances whose certificates are trusted (<see cref="TrustStore"/>).</summary>
    public string TrustFile => System.IO.Path.Combine(Path, "known-appliances.json");

    /// <summary>Applies the precedence above. Empty variables count as unset; so does a relative XDG_CONFIG_HOME (the XDG spec says to ignore it).</summary>
    public static ConfigFolder Locate(Func<string, string?> getVariable, string homeFolder)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        if (getVariable(ConfigDirVariable) is { Length: > 0 } explicitFolder)
        {
            return new ConfigFolder(System.IO.Path.GetFullPath(explicitFolder));
        }

        if (getVariable(XdgConfigHomeVariable) is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg))
        {
            return new ConfigFolder(System.IO.Path.Combine(xdg, "oc"));
        }

        return new ConfigFolder(System.IO.Path.Combine(homeFolder, ".config", "oc"));
    }

    /// <summary>Creates the folder (and missing parents) owner-only; an existing folder is left as it is.</summary>
    public void Create()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path);
        }
        else
        {
            Directory.CreateDirectory(Path, OwnerOnly);
        }
    }

    /// <summary>The appliance used last, if one was remembered and still parses.</summary>
    public ServerAddress? ReadLastServer()
    {
        string text;
        try
        {
            text = File.ReadAllText(LastServerFile);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return ServerAddress.TryParse(text, out var address, out _) ? address : null;
    }

    public void RememberServer(ServerAddress server)
    {
        Create();
        AtomicFile.Write(LastServerFile, server + "\n", ownerOnly: false);
    }
}
