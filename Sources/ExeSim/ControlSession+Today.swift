/// Dispatch for the commands exe.dev added after May 2026 (pause and
/// resume, domains, pools, invites, `integrations edit`).
extension ControlSession {
    /// Runs `name` if it is one of these commands; `false` otherwise.
    func handleToday(_ name: String) throws -> Bool {
        switch name {
        case "pause": try pause()
        case "resume": try resume()
        case "domain add": try domainAdd()
        case "domain rm": try domainRemove()
        case "domain ls": try domainList()
        case "pool new": try poolNew()
        case "pool hosts": try poolHosts()
        case "pool list": try poolList()
        case "pool adopt": try poolAdopt()
        case "pool detach": try poolDetach()
        case "invite show": try inviteShow()
        case "invite link": try inviteLink()
        case "invite rewards": try inviteRewards()
        case "invite set-reward": try inviteSetReward()
        case "invite activity": try inviteActivity()
        case "invite request": try inviteRequest()
        case "invite manage": try inviteManage()
        case "integrations edit": try integrationEdit()
        default: return false
        }
        return true
    }
}
