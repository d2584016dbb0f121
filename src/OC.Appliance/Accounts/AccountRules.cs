using OC.Protocol;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

/// <summary>What a registration must look like (docs/protocol.md, "REGISTER").</summary>
internal static class AccountRules
{
    /// <summary>
    /// Checks <paramref name="r"/>; <paramref name="valid"/> is it with the nickname trimmed, the
    /// form stored (<see cref="TextRules.TryValidateNick"/>, which <c>oc register</c> applies too).
    /// </summary>
    public static bool TryValidate(in Register r, out Register valid, out string error)
    {
        valid = r;
        if (!TextRules.TryValidateNick(r.Nick, out string nick, out error)) return false;
        if (r.Email.Length > 0 && (!r.Email.Contains('@') || r.Email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            return Fail("the email address is not valid", out error);
        if (r.Salt.Length < ProtocolLimits.MinSaltBytes) return Fail($"the salt is shorter than {ProtocolLimits.MinSaltBytes} bytes", out error);
        if (r.Iterations < ProtocolLimits.MinIterations || r.Iterations > ProtocolLimits.MaxIterations)
            return Fail($"the iteration count must be {ProtocolLimits.MinIterations}..{ProtocolLimits.MaxIterations}", out error);
        if (r.StoredKey.Length != ProtocolLimits.KeyBytes || r.ServerKey.Length != ProtocolLimits.KeyBytes)
            return Fail($"the keys must be {ProtocolLimits.KeyBytes} bytes", out error);
        valid = r with { Nick = nick };
        error = "";
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
